/// Something faultline checks continuously: an HTTP endpoint, a TCP port, a database, a
/// WebSocket conversation, a command.
///
/// Contract: `check` returns within `timeout` plus a small tolerance whatever the target does
/// (paused, half-open, silent); blocking C calls run off the cooperative pool; a probe keeps one
/// connection where the protocol allows it and reconnects (inside the measured check) after a
/// broken one. The runner never calls `check` concurrently with itself.
public protocol Probe: Sendable {
    var name: String { get }
    var timeout: Duration { get }
    func check() async -> ProbeCheck
    /// Releases connections; the probe may not be used afterwards.
    func close() async
}

extension Probe {
    public func close() async {}
}
