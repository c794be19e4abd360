// Placeholder: the teacher benchmarks land with their issue.
func teacherBench(_ options: Options) throws {}
