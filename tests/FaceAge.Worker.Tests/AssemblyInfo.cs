// The worker tests run real workers, brokers, RTSP servers and a browser against the clock (recovery
// within 10 s, a camera's normal rate): one at a time, so that they do not compete for the two cores.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
