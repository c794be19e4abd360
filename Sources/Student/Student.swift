// Student: placeholder until its issue lands.
