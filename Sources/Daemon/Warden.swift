import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Logging

/// The dead-man switch: a small separate process (`faultline warden`) that the daemon and `run`
/// start beside themselves. It looks at the ledger every `interval` and reverts every open fault
/// whose owner process is gone, and every fault whose hard deadline (window end + grace) has
/// passed although its owner still lives (hung). It stays while a faultline process beats its
/// heartbeat in the state directory or a fault is open, and exits when neither has been left for
/// `linger` (so that the next `inject` of an on-call session finds it watching and starts none).
/// One warden per state directory (`WardenLock`).
public struct Warden: Sendable {
    public let stateDirectory: String
    public let logger: Logger
    public var interval: Duration = .milliseconds(250)
    /// How long a failing revert waits before the next try.
    public var retryInterval: Duration = .seconds(2)
    /// How long it stays once nothing beats and nothing is open.
    public var linger: Duration = .zero
    /// For tests: runs after the warden has unlocked to end and before its second look.
    var beforeSecondLook: (@Sendable () -> Void)?

    public init(stateDirectory: String, logger: Logger) {
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    /// Why the warden does not watch.
    public enum Exit: Equatable, Sendable {
        /// Another warden watches this state directory.
        case alreadyWatched
        /// No faultline process beats and nothing is open.
        case nothingLeft
    }

    public func run(connect: @Sendable () async throws -> DockerEngineClient) async throws -> Exit {
        guard let lock = try WardenLock.acquire(in: stateDirectory) else { return .alreadyWatched }
        let ledger = try FaultLedger(stateDirectory: stateDirectory)
        let heartbeats = DaemonPaths(stateDirectory: stateDirectory).heartbeats
        var engine: DockerEngineClient?
        let clock = ContinuousClock()
        var idleSince: ContinuousClock.Instant?
        logger.info("warden watching", metadata: ["state": "\(stateDirectory)", "pid": "\(getpid())"])
        // Open faults, and whether any faultline process beats.
        func look() -> (open: [LedgerEntry], beating: Bool) {
            ((try? ledger.openEntries()) ?? [], !Self.liveHeartbeats(in: heartbeats).isEmpty)
        }
        while !Task.isCancelled {
            let (open, beating) = look()
            if open.isEmpty && !beating {
                let since = idleSince ?? clock.now
                idleSince = since
                if clock.now - since >= linger {
                    // A starter that saw the lock held started no warden: look again after unlocking.
                    lock.giveUp()
                    beforeSecondLook?()
                    let again = look()
                    if again.open.isEmpty && !again.beating { return .nothingLeft }
                    guard lock.retake() else { return .alreadyWatched }
                    idleSince = nil
                    continue
                }
                try? await Task.sleep(for: interval)
                continue
            }
            idleSince = nil
            if !open.isEmpty {
                if engine == nil { engine = try? await connect() }
                if engine == nil {
                    // Its own engine does not answer: any engine an open entry names will do as home
                    // (each entry is reverted on the engine it names either way).
                    for address in Set(open.compactMap(\.intent.engine)).sorted() where engine == nil {
                        guard let endpoint = try? EngineEndpoint.parse(address) else { continue }
                        engine = try? await DockerEngineClient.connect(to: endpoint, logger: logger)
                    }
                }
                if let engine {
                    let recovery = LedgerRecovery(environment: .live(engine: engine, logger: logger), ledger: ledger, revertTimeout: .seconds(30))
                    let report = try await recovery.recoverOrphansAndOverdue()
                    for item in report.reverted {
                        logger.notice("warden reverted", metadata: ["fault": "\(item.entry.faultID)", "target": "\(item.entry.targetName)",
                                                                    "result": "\(item.result.map(\.description))"])
                    }
                    if !report.failures.isEmpty {
                        try? await Task.sleep(for: retryInterval)
                        continue
                    }
                }
            }
            try? await Task.sleep(for: interval)
        }
        return .nothingLeft
    }

    /// Pids under `directory` whose process lives; files of dead ones are removed.
    static func liveHeartbeats(in directory: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> Int32? in
            // `<pid>.beat` is a beat being written; one a SIGKILL interrupted stays behind.
            let staging = name.hasSuffix(Heartbeat.stagingSuffix)
            guard let pid = Int32(staging ? String(name.dropLast(Heartbeat.stagingSuffix.count)) : name) else { return nil }
            if ProcessOwner.isRunning(pid) { return staging ? nil : pid }
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
            return nil
        }
    }
}
