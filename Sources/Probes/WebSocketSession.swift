import Foundation
import Logging
import Synchronization
import WSClient

/// The one connection of a persistent WebSocket probe, kept open across checks: it answers "does
/// a session that was already open keep working?" (an auth outage must not break it) where a
/// fresh connection per check can only answer "can new sessions start?".
///
/// A reader task owns the connection and puts text messages in a mailbox that checks read from.
/// When the server drops the connection, the next check reports the drop (failed) and reconnects.
final class WebSocketSession: Sendable {
    private struct State {
        var writer: WebSocketOutboundWriter?
        var reader: Task<Void, Never>?
        /// Why the last connection ended, until a check has reported it.
        var dropped: String?
        var closed = false
    }

    private let config: WebSocketProbeConfig
    private let logger: Logger
    private let state = Mutex(State())
    private let mailbox = Mailbox()

    init(config: WebSocketProbeConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// One check on the open session, connecting first when there is none.
    func converse(_ config: WebSocketProbeConfig, progress: SeenTypes) async throws -> ProbeCheck {
        var (writer, dropped) = state.withLock { state -> (WebSocketOutboundWriter?, String?) in
            defer { state.dropped = nil }
            return (state.writer, state.writer == nil ? state.dropped : nil)
        }
        if writer == nil { writer = try await connect() }
        guard let writer else { throw WebSocketSessionError.closed }
        progress.markConnected()
        mailbox.discardPending()
        let verdict = try await WebSocketProbe.follow(config, progress: progress, write: { try await writer.write(.text($0)) },
                                                      next: { await self.mailbox.next() })
        guard let dropped else { return verdict }
        return ProbeCheck(.error, "the open session was dropped (\(dropped)); reconnected, then: \(verdict.reason)", attempts: 2)
    }

    /// Opens the connection and starts its reader; returns once the upgrade succeeded.
    private func connect() async throws -> WebSocketOutboundWriter {
        guard !state.withLock({ $0.closed }) else { throw WebSocketSessionError.closed }
        mailbox.reopen()
        let opened = ResumeOnce<WebSocketOutboundWriter>()
        let config = config, logger = logger, mailbox = mailbox
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                opened.set(continuation)
                let reader = Task {
                    var reason = "the server closed it"
                    do {
                        try await WebSocketClient.connect(url: config.url, configuration: WebSocketProbe.clientConfiguration(config),
                                                          logger: logger) { inbound, outbound, _ in
                            self.state.withLock { $0.writer = outbound }
                            opened.resume(returning: outbound)
                            for try await message in inbound.messages(maxSize: 1 << 20) {
                                if case .text(let text) = message { mailbox.push(text) }
                            }
                        }
                    } catch {
                        reason = "\(error)".replacingOccurrences(of: "\n", with: " ")
                    }
                    self.state.withLock { state in
                        state.writer = nil
                        state.reader = nil
                        if !state.closed { state.dropped = reason }
                    }
                    mailbox.end()
                    opened.resume(throwing: WebSocketSessionError.notOpened(reason))
                }
                state.withLock { $0.reader = reader }
            }
        } onCancel: {
            state.withLock { $0.reader }?.cancel()
            opened.resume(throwing: CancellationError())
        }
    }

    func close() async {
        let (writer, reader) = state.withLock { state in
            state.closed = true
            return (state.writer, state.reader)
        }
        try? await writer?.close(.normalClosure, reason: nil)
        reader?.cancel()
        mailbox.end()
    }
}

/// A continuation resumed at most once, by whichever side gets there first.
final class ResumeOnce<Value: Sendable>: Sendable {
    private let slot = Mutex<CheckedContinuation<Value, any Error>?>(nil)

    func set(_ continuation: CheckedContinuation<Value, any Error>) { slot.withLock { $0 = continuation } }
    func resume(returning value: Value) { slot.withLock { $0.take() }?.resume(returning: value) }
    func resume(throwing error: any Error) { slot.withLock { $0.take() }?.resume(throwing: error) }
}

enum WebSocketSessionError: Error, CustomStringConvertible {
    case closed
    case notOpened(String)

    var description: String {
        switch self {
        case .closed: return "the probe was closed"
        case .notOpened(let reason): return "could not open the session: \(reason)"
        }
    }
}

/// Text messages between the reader task and the check that waits for them. `next` returns nil
/// when the connection ended or the waiting task was cancelled (the check's deadline).
final class Mailbox: Sendable {
    private struct State {
        var messages: [String] = []
        var ended = false
        var waiter: CheckedContinuation<String?, Never>?
    }
    private let state = Mutex(State())

    func push(_ message: String) {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.messages.count < 10_000 { state.messages.append(message) }
            return nil
        }
        waiter?.resume(returning: message)
    }

    /// Forgets messages left over from an earlier check (late answers, heartbeats).
    func discardPending() { state.withLock { $0.messages.removeAll() } }

    func end() {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    func reopen() { state.withLock { $0 = State() } }

    func next() async -> String? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate = state.withLock { state -> String?? in
                    if !state.messages.isEmpty { return .some(state.messages.removeFirst()) }
                    if state.ended || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
