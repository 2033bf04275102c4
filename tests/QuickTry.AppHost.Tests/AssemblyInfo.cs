// The AppHost tests and the Compose test each start a whole stack on the one Docker engine and two cores:
// one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
