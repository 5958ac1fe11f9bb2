namespace FaceAge.Worker.Events;

/// <summary>
/// Where worker events go: a transport at the edge (MQTT, webhook) or the live page. The pipeline knows sinks only
/// through this. Accept must not block (a durable sink queues and stores the event); RunAsync delivers.
/// </summary>
public interface IEventSink
{
    /// <summary>For logs and metrics ("mqtt", "webhook", …).</summary>
    string Name { get; }

    /// <summary>Able to deliver now (connected, receiver answering). /readyz is ready when every sink is.</summary>
    bool Ready { get; }

    /// <summary>Takes one event, in pipeline order. Never blocks and never throws for a transport problem.</summary>
    void Accept(WorkerEvent e);

    /// <summary>
    /// Delivers accepted events until <paramref name="stopping"/>, then drains what it can before
    /// <paramref name="drainDeadline"/>; what is left stays in its outbox for the next start.
    /// </summary>
    Task RunAsync(CancellationToken drainDeadline, CancellationToken stopping);

    /// <summary>No more events will be accepted (the pipeline has drained).</summary>
    void Complete();
}
