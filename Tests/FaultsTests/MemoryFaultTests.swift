import DockerEngine
@testable import Faults
import TestSupport
import Testing

@Suite struct MemoryFaultTests {
    static let unlimited = "9223372036854771712"

    // v1: limit then memsw are lowered; the revert raises memsw first, so memsw ≥ limit at every step.
    @Test func ordersWritesV1() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 9))
        fake.setFile("/fake/memory/9/memory.limit_in_bytes", Self.unlimited)
        fake.setFile("/fake/memory/9/memory.memsw.limit_in_bytes", Self.unlimited)
        let prepared = try await MemoryFault(bytes: 64 << 20).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        _ = try await prepared.revert.apply(in: fake.environment)
        let writes = fake.calls.filter { $0.hasPrefix("write") }
        #expect(writes == [
            "write /fake/memory/9/memory.limit_in_bytes=67108864",
            "write /fake/memory/9/memory.memsw.limit_in_bytes=67108864",
            "write /fake/memory/9/memory.memsw.limit_in_bytes=\(Self.unlimited)",
            "write /fake/memory/9/memory.limit_in_bytes=\(Self.unlimited)",
        ])
    }

    // Without swap accounting only the limit is written.
    @Test func worksWithoutSwapAccounting() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 9))
        fake.setFile("/fake/memory/9/memory.limit_in_bytes", Self.unlimited)
        let prepared = try await MemoryFault(bytes: 32 << 20).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.calls.filter { $0.hasPrefix("write") } == ["write /fake/memory/9/memory.limit_in_bytes=33554432"])
    }

    // Limits below the engine's minimum, or not stricter than the current one, are refused.
    @Test func refusesBadLimits() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 9))
        fake.setFile("/fake/memory/9/memory.limit_in_bytes", String(128 << 20))
        let target = try await fake.inspectContainer("c1")
        await #expect(throws: FaultError.self) { try await MemoryFault(bytes: 1 << 20).prepare(target, in: fake.environment) }
        await #expect(throws: FaultError.self) { try await MemoryFault(bytes: 256 << 20).prepare(target, in: fake.environment) }
    }
}
