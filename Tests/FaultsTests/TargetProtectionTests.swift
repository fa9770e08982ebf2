import DockerEngine
@testable import Faults
import Foundation
import TestSupport
import Testing

@Suite struct TargetProtectionTests {
    // Any value but an explicit no protects; only false/0/no/off (any case, spaces around) expose.
    @Test(arguments: ["true", "TRUE", "yes", "1", " true", "", "ture", "on"])
    func protects(value: String) {
        #expect(TargetProtection.isProtected([TargetProtection.label: value]))
    }

    @Test(arguments: ["false", "FALSE", "0", "no", "Off", " false "])
    func leavesUnprotected(value: String) {
        #expect(!TargetProtection.isProtected([TargetProtection.label: value]))
        #expect(!TargetProtection.isProtected([:]))
        #expect(!TargetProtection.isProtected(nil))
    }

    // The injector itself refuses a protected container and faultline's own, so no path that
    // injects (replay of an old plan, an edited journal, the daemon) can get round it; nothing is
    // written to the ledger and no engine call is made.
    @Test func injectorRefusesProtectedAndOwn() async throws {
        let fake = FakeEngine()
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let protected = FakeEngine.details(id: "p1", name: "vault", labels: [TargetProtection.label: "yes"])
        let own = FakeEngine.details(id: "ownid123", name: "faultline")
        fake.add(protected)
        fake.add(own)
        let injector = FaultInjector(environment: fake.environment, ledger: ledger, ownContainerID: "ownid")
        await #expect(throws: TargetError.self) { _ = try await injector.inject(PauseFault(), on: protected, window: .seconds(1)) }
        await #expect(throws: TargetError.self) { _ = try await injector.inject(PauseFault(), on: own, window: .seconds(1)) }
        #expect(try ledger.records().isEmpty)
        #expect(!fake.calls.contains { $0.hasPrefix("pause") })
    }
}
