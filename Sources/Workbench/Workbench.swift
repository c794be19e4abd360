// Workbench: placeholder until its issue lands.
