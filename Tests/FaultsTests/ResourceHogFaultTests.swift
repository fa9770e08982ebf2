import DockerEngine
@testable import Faults
import TestSupport
import Testing

@Suite struct ResourceHogFaultTests {
    func fake(limit: String = "268435456", usage: String = "58720256") -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 77))
        fake.processes.state.withLock { $0.cgroups[77] = ["/fake/cpu/77", "/fake/memory/77"] }
        fake.setFile("/fake/memory/77/memory.limit_in_bytes", limit)
        fake.setFile("/fake/memory/77/memory.usage_in_bytes", usage)
        return fake
    }

    // The cpu hog runs stress-ng's cpu stressor in the container's cgroups with a time-out past the window; the revert ends it once, then finds it gone.
    @Test func cpuHogStartsInTheCgroupsAndEnds() async throws {
        let fake = fake()
        let action = CPUHogParameters(workers: 2, load: 80).action(hasWindow: true)
        let prepared = try await action.prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(30))
        guard case .hog(let step) = prepared.revert else { Issue.record("not a hog step: \(prepared.revert)"); return }
        #expect(step.cgroups == ["/fake/cpu/77", "/fake/memory/77"] && step.what == "cpu-hog 2 workers at 80%")
        try await prepared.inject(fake.environment)
        let hog = try #require(fake.processes.hogs[step.token])
        #expect(hog.command == ["stress-ng", "--cpu", "2", "--cpu-load", "80", "--timeout", "35s", "--quiet", "--keep-name"])
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("cpu-hog 2 workers at 80% had already ended"))
    }

    // A share of the limit is what takes the container's usage there: 0.9 × 256 MiB − 56 MiB.
    @Test func memoryShareIsWhatIsLeftToIt() async throws {
        let fake = fake()
        let prepared = try await MemoryHogParameters(share: 0.9).action(hasWindow: true)
            .prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(10))
        try await prepared.inject(fake.environment)
        let command = try #require(fake.processes.hogs.values.first?.command)
        let bytes = Int64(Double(256 << 20) * 0.9) - (56 << 20)
        #expect(command.starts(with: ["stress-ng", "--vm", "1", "--vm-hang", "0", "--oomable", "--vm-bytes", String(bytes)]))
    }

    // oom: past the limit by a tenth of it (256 MiB limit, 56 MiB used → 225.6 MiB); the revert
    // reports the OOM kills counted since the inject and what the engine says of the container.
    @Test func oomGoesPastTheLimitAndReportsTheKills() async throws {
        let fake = fake()
        fake.setFile("/fake/memory/77/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2")
        let prepared = try await MemoryHogParameters(oom: true).action(hasWindow: true)
            .prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(10))
        try await prepared.inject(fake.environment)
        let command = try #require(fake.processes.hogs.values.first?.command)
        let bytes: Int64 = (256 << 20) - (56 << 20) + (256 << 20) / 10
        #expect(command.starts(with: ["stress-ng", "--vm", "1", "--vm-hang", "0", "--oomable", "--vm-bytes", String(bytes)]))
        fake.setFile("/fake/memory/77/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3")
        #expect(try await prepared.revert.apply(in: fake.environment) == .restoredNoting("the OOM killer acted 1 time in the container; the engine reports it running"))
        #expect(try MemoryHogParameters.read([("oom", ["true"])]) == MemoryHogParameters(oom: true))
        #expect { _ = try MemoryHogParameters.read([("oom", ["true"]), ("size", ["64m"])]) } throws: { "\($0)".contains("one of them") }
    }

    // No limit, or usage already at the share: refused before anything starts.
    @Test func memoryShareRefusals() async throws {
        for (limit, usage, expected) in [("9223372036854771712", "1000", "no memory limit"), ("268435456", "260000000", "already uses")] {
            let fake = fake(limit: limit, usage: usage)
            await #expect { _ = try await MemoryHogParameters(share: 0.9).action(hasWindow: true).prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(5)) } throws: {
                "\($0)".contains(expected)
            }
            #expect(fake.processes.hogs.isEmpty)
        }
    }

    // The parameters: size or share, one of them; whole workers and load; the texts read back the same.
    @Test func parameters() throws {
        #expect { _ = try MemoryHogParameters.read([]) } throws: { "\($0)".contains("give 'size'") || "\($0)".contains("size") }
        #expect { _ = try MemoryHogParameters.read([("size", ["64m"]), ("share", ["0.5"])]) } throws: { "\($0)".contains("one of them") }
        #expect { _ = try CPUHogParameters.read([("workers", ["1.5"])]) } throws: { "\($0)".contains("whole number") }
        let memory = try MemoryHogParameters.read([("size", ["64m"])])
        #expect(memory.size == 64 << 20)
        #expect(try MemoryHogParameters.read(memory.texts) == memory)
        let cpu = try CPUHogParameters.read([("workers", ["3"]), ("load", ["40"])])
        #expect(cpu == CPUHogParameters(workers: 3, load: 40))
        #expect(try CPUHogParameters.read(cpu.texts) == cpu)
    }

    // A hog that could not start in the container (its cgroups refused it) fails the inject with the reason.
    @Test func aHogThatCannotStartFailsTheInject() async throws {
        let fake = fake()
        fake.processes.state.withLock { $0.hogFailure = FaultProcessError(message: "could not place stress-ng in the container's cgroups") }
        let prepared = try await CPUHogParameters().action(hasWindow: true).prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(5))
        await #expect { try await prepared.inject(fake.environment) } throws: { "\($0)".contains("could not place") }
    }

    // memberships: every v1 hierarchy's directory by its mount, and the v2 one.
    @Test func cgroupMembershipsByMount() {
        let membership = "4:memory:/docker/abc\n1:cpu,cpuacct:/docker/abc\n9:name=systemd:/docker/abc\n0::/docker/abc\n"
        let mountinfo = """
            30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
            32 25 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd
            33 25 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
            """
        #expect(HostCgroups.memberships(membership: membership, mountinfo: mountinfo) == [
            "/sys/fs/cgroup/memory/docker/abc", "/sys/fs/cgroup/cpu,cpuacct/docker/abc", "/sys/fs/cgroup/systemd/docker/abc", "/sys/fs/cgroup/unified/docker/abc",
        ])
    }
}
