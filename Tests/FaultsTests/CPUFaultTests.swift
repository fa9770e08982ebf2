import DockerEngine
import Foundation
@testable import Faults
import TestSupport
import Testing

@Suite struct CPUFaultTests {
    func fake(quota: String, period: String = "100000", version: CgroupDirectory.Version = .v1) -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 77))
        fake.state.withLock { $0.cgroupVersion = version }
        if version == .v1 {
            fake.setFile("/fake/cpu/77/cpu.cfs_quota_us", quota)
            fake.setFile("/fake/cpu/77/cpu.cfs_period_us", period)
        } else {
            fake.setFile("/fake/cpu/77/cpu.max", "\(quota) \(period)")
        }
        return fake
    }

    // v1: the quota becomes cpus × period and the revert writes the original back, once.
    @Test func limitsAndRestoresV1() async throws {
        let fake = fake(quota: "-1")
        let prepared = try await CPUFault(cpus: 0.2).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.file("/fake/cpu/77/cpu.cfs_quota_us") == "20000")
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(fake.file("/fake/cpu/77/cpu.cfs_quota_us") == "-1")
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("cgroup already has its original values"))
    }

    // A limit above the host's CPUs would change nothing: refused when prepared, on every path
    // (the definition's range is static; the host is known only where the container runs).
    @Test func refusesMoreThanTheHostsCPUs() async throws {
        let fake = fake(quota: "-1")
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        await #expect { _ = try await CPUFault(cpus: cores + 1).prepare(try await fake.inspectContainer("c1"), in: fake.environment) } throws: { error in
            "\(error)".contains("this host's \(Int(cores)) CPUs")
        }
        #expect(fake.file("/fake/cpu/77/cpu.cfs_quota_us") == "-1")
        _ = try await CPUFault(cpus: cores).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
    }

    // v2: cpu.max gets "quota period" and goes back to "max period".
    @Test func limitsAndRestoresV2() async throws {
        let fake = fake(quota: "max", version: .v2)
        let prepared = try await CPUFault(cpus: 0.5).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.file("/fake/cpu/77/cpu.max") == "50000 100000")
        _ = try await prepared.revert.apply(in: fake.environment)
        #expect(fake.file("/fake/cpu/77/cpu.max") == "max 100000")
    }

    // A container already limited at or below the fault is refused (the fault would loosen it).
    @Test func refusesLooserLimit() async throws {
        let fake = fake(quota: "10000")
        await #expect(throws: FaultError.self) {
            try await CPUFault(cpus: 0.5).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        }
    }

    // A container restarted since the inject already lost the fault: nothing is written.
    @Test func skipsRestartedContainer() async throws {
        let fake = fake(quota: "-1")
        let prepared = try await CPUFault(cpus: 0.2).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        try await fake.restartContainer("c1", timeout: 0)
        fake.setFile("/fake/cpu/77/cpu.cfs_quota_us", "-1")
        let writesBefore = fake.calls.filter { $0.hasPrefix("write") }.count
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("container restarted since the inject"))
        #expect(fake.calls.filter { $0.hasPrefix("write") }.count == writesBefore)
    }

    // The kernel's minimum quota (1 ms) is respected for tiny fractions.
    @Test func respectsMinimumQuota() {
        #expect(CPUFault.quota(cpus: 0.001, period: 100_000) == 1_000)
        #expect(CPUFault.quota(cpus: 1.5, period: 100_000) == 150_000)
    }
}
