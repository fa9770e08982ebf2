@testable import Faults
import Testing

@Suite struct HostPlumbingTests {
    static let mountinfo = """
    30 25 0:26 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu
    31 25 0:27 / /sys/fs/cgroup/memory rw,relatime shared:10 - cgroup cgroup rw,memory
    32 25 0:28 / /sys/fs/cgroup/unified rw,relatime shared:11 - cgroup2 cgroup2 rw
    """

    // cgroup v1: the controller's own hierarchy and mount point.
    @Test func locatesV1() throws {
        let membership = "4:memory:/docker/abc\n1:cpu:/docker/abc\n0::/docker/abc\n"
        #expect(try HostCgroups.locate(controller: .cpu, membership: membership, mountinfo: Self.mountinfo)
                == CgroupDirectory(path: "/sys/fs/cgroup/cpu/docker/abc", version: .v1))
        #expect(try HostCgroups.locate(controller: .memory, membership: membership, mountinfo: Self.mountinfo).path
                == "/sys/fs/cgroup/memory/docker/abc")
    }

    // cgroup v2 only: the unified hierarchy.
    @Test func locatesV2() throws {
        let mountinfo = "28 22 0:25 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"
        #expect(try HostCgroups.locate(controller: .cpu, membership: "0::/system.slice/docker-abc.scope\n", mountinfo: mountinfo)
                == CgroupDirectory(path: "/sys/fs/cgroup/system.slice/docker-abc.scope", version: .v2))
    }

    // Signal names in any common spelling become SIGNAME; typos get a suggestion.
    @Test func normalizesSignals() throws {
        #expect(try SignalName.normalize("kill") == "SIGKILL")
        #expect(try SignalName.normalize("SIGTERM") == "SIGTERM")
        #expect(try SignalName.normalize("9") == "SIGKILL")
        do {
            _ = try SignalName.normalize("SIGKIL")
            Issue.record("typo accepted")
        } catch {
            #expect(error.description.contains("did you mean SIGKILL"))
        }
    }

    // The own container id is read from the cgroup path or the engine's bind mounts; none on the host.
    @Test func detectsOwnContainer() {
        let id = String(repeating: "ab", count: 32)
        #expect(SelfContainer.detectID(cgroupText: "1:cpu:/docker/\(id)\n", mountinfo: "") == id)
        #expect(SelfContainer.detectID(cgroupText: "0::/\n", mountinfo: "1 2 3 /var/lib/docker/containers/\(id)/hostname /etc/hostname") == id)
        #expect(SelfContainer.detectID(cgroupText: "0::/user.slice\n", mountinfo: "") == nil)
    }
}
