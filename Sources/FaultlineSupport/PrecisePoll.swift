import CSpawn
import Glibc

/// poll(2) to the nanosecond: the time-out of `poll` is whole milliseconds, so a loop that waits
/// for an instant with it wakes up to a millisecond late (or spins when less than one is left).
public enum PrecisePoll {
    /// Waits for `descriptors` (a descriptor of -1 is skipped) until `deadline` at the latest (nil:
    /// no time-out); what poll returns (the ready count, 0 at the deadline, -1 with errno).
    public static func wait(_ descriptors: inout [pollfd], until deadline: ContinuousClock.Instant?) -> Int32 {
        var nanoseconds: Int64 = -1
        if let deadline {
            let left = (deadline - .now).components
            nanoseconds = max(0, min(left.seconds, 1 << 30) * 1_000_000_000 + left.attoseconds / 1_000_000_000)
        }
        return descriptors.withUnsafeMutableBufferPointer { fl_poll_nanoseconds($0.baseAddress, nfds_t($0.count), nanoseconds) }
    }

    /// Lets the kernel end this thread's sleeps at most `slack` late (50 µs by default; at least 1 ns).
    public static func limitTimerSlack(to slack: Duration) {
        let nanoseconds = slack.components.seconds * 1_000_000_000 + slack.components.attoseconds / 1_000_000_000
        _ = fl_set_timer_slack(UInt(max(1, nanoseconds)))
    }
}
