import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Logging

/// The dead-man switch: a small separate process (`faultline warden`) that the daemon and `run`
/// start beside themselves. It looks at the ledger every `interval` and reverts every open fault
/// whose owner process is gone, and every fault whose hard deadline (window end + grace) has
/// passed although its owner still lives (hung). It stays while a faultline process beats its
/// heartbeat in the state directory or a fault is open, and exits when neither is left. One
/// warden per state directory (`warden.lock`).
public struct Warden: Sendable {
    public let stateDirectory: String
    public let logger: Logger
    public var interval: Duration = .milliseconds(250)
    /// How long a failing revert waits before the next try.
    public var retryInterval: Duration = .seconds(2)

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
        let lockPath = stateDirectory + "/warden.lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw DaemonService.StartError(description: "cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return .alreadyWatched }
        let ledger = try FaultLedger(stateDirectory: stateDirectory)
        let heartbeats = DaemonPaths(stateDirectory: stateDirectory).heartbeats
        var engine: DockerEngineClient?
        logger.info("warden watching", metadata: ["state": "\(stateDirectory)", "pid": "\(getpid())"])
        while !Task.isCancelled {
            let open = (try? ledger.openEntries()) ?? []
            let beating = Self.liveHeartbeats(in: heartbeats)
            if open.isEmpty && beating.isEmpty { return .nothingLeft }
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
