// Placeholder: the workbench benchmarks land with their issue.
func workbenchBench(_ options: Options) throws {}
