import FaultlineSupport
import Glibc
import Testing

@Suite struct PrecisePollTests {
    // With nothing ready it returns 0, never before the deadline (and well within a second after it).
    @Test func waitsUntilTheDeadline() {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        var watched = [pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0)]
        let deadline = ContinuousClock.now + .microseconds(2_500)
        #expect(PrecisePoll.wait(&watched, until: deadline) == 0)
        let now = ContinuousClock.now
        #expect(now >= deadline)
        #expect(now - deadline < .seconds(1))
    }

    // A ready descriptor returns at once with its event, whatever the deadline; a deadline already past does not block.
    @Test func returnsWhenADescriptorIsReady() {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        var byte: UInt8 = 1
        #expect(write(ends[1], &byte, 1) == 1)
        var watched = [pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0), pollfd(fd: -1, events: Int16(POLLIN), revents: 0)]
        #expect(PrecisePoll.wait(&watched, until: .now + .seconds(30)) == 1)
        #expect(watched[0].revents & Int16(POLLIN) != 0)
        var empty = [pollfd(fd: -1, events: Int16(POLLIN), revents: 0)]
        #expect(PrecisePoll.wait(&empty, until: .now - .seconds(1)) == 0)
    }
}
