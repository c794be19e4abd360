// Placeholder: the student benchmarks land with their issue.
func studentBench(_ options: Options) throws {}
