import DockerEngine
import Foundation
@testable import Faults
import Glibc
import TestSupport
import Testing

@Suite struct DNSFaultTests {
    func fake(resolvConf: String = "search example\nnameserver 127.0.0.11\noptions ndots:0\n") -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 77))
        fake.processes.state.withLock { $0.cgroups[77] = ["/fake/cpu/77", "/fake/memory/77"] }
        fake.files.state.withLock {
            $0.directories[77] = ["/etc"]
            $0.texts["/proc/77/root/etc/resolv.conf"] = resolvConf
        }
        return fake
    }

    /// Marks the resolver's port as bound in the fake's UDP table once it is known.
    func listen(_ fake: FakeEngine, port: String) {
        let hex = String(format: "%04X", UInt16(port)!)
        fake.files.state.withLock { $0.texts["/proc/77/net/udp"] = "  sl  local_address rem_address   st\n   0: 0100007F:\(hex) 00000000:0000 07\n" }
    }

    // The resolver starts in the container's network namespace and cgroups, then the redirect rule
    // goes in; the revert deletes the rule first, then stops the resolver; a second revert finds both gone.
    @Test func startsTheResolverThenRedirects() async throws {
        let fake = fake()
        let prepared = try await DNSFault(names: "^llm$", answer: .servfail).prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(20))
        guard case .steps(let steps) = prepared.revert, steps.count == 2, case .network(let rules) = steps[0], case .hog(let resolver) = steps[1] else {
            Issue.record("\(prepared.revert)")
            return
        }
        let rule = try #require(rules.rules.first)
        #expect(rule.table == "nat" && rule.chain == "OUTPUT" && rule.target == "REDIRECT")
        #expect(rule.match == ["-p", "udp", "--dport", "53", "-m", "mark", "!", "--mark", "0xfa17"])
        let port = try #require(rule.targetOptions?.last)
        listen(fake, port: port)
        try await prepared.inject(fake.environment)
        let command = try #require(fake.processes.hogs[resolver.token]?.command)
        #expect(Array(command.dropFirst()) == ["dns-responder", "--port", port, "--upstream", "127.0.0.11", "--names", "^llm$", "--answer", "servfail",
                                               "--lifetime", "25s", "--rule-mark", rule.mark])
        #expect(fake.namespaces.state.withLock { $0.rules.count } == 1)
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(fake.namespaces.state.withLock { $0.rules.isEmpty } && fake.processes.hogs.isEmpty)
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("no rule or qdisc of this fault was left"))
        let encoded = try JSONEncoder().encode(prepared.revert)
        #expect(try JSONDecoder().decode(RevertPlan.self, from: encoded) == prepared.revert)
    }

    // A resolver that never listens fails the inject before any query is redirected.
    @Test func aResolverThatDoesNotListenAddsNoRule() async throws {
        let fake = fake()
        let prepared = try await DNSFault(names: "llm").prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(5))
        await #expect { try await prepared.inject(fake.environment) } throws: { "\($0)".contains("did not listen") }
        #expect(fake.namespaces.state.withLock { $0.rules.isEmpty })
    }

    // No IPv4 nameserver to forward the other names to: refused, nothing started.
    @Test func refusesWithoutANameserver() async throws {
        let fake = fake(resolvConf: "nameserver ::1\n")
        await #expect { _ = try await DNSFault(names: "llm").prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(5)) } throws: {
            "\($0)".contains("no IPv4 nameserver")
        }
        #expect(DNSFault.nameserver(in: "# x\nnameserver\tbad\nnameserver 10.0.0.2\nnameserver 10.0.0.3") == "10.0.0.2")
    }

    // Parameters: a regular expression; the answer, with delay implied by a delay and refused without one; texts read back the same.
    @Test func parameters() throws {
        #expect { _ = try DNSParameters.read([("names", ["(llm"])]) } throws: { "\($0)".contains("not a regular expression") }
        #expect { _ = try DNSParameters.read([("names", ["llm"]), ("answer", ["delay"])]) } throws: { "\($0)".contains("needs 'delay'") }
        #expect { _ = try DNSParameters.read([("names", ["llm"]), ("answer", ["servfail"]), ("delay", ["1s"])]) } throws: { "\($0)".contains("goes with answer delay") }
        #expect { _ = try DNSParameters.read([("names", ["llm"]), ("answer", ["refused"])]) } throws: { "\($0)".contains("nxdomain, servfail, timeout, delay") }
        #expect(try DNSParameters.read([("names", ["llm"])]).answer == .nxdomain)
        let delayed = try DNSParameters.read([("names", ["^llm$"]), ("delay", ["1500ms"])])
        #expect(delayed == DNSParameters(names: "^llm$", answer: .delay(.milliseconds(1500))))
        #expect(try DNSParameters.read(delayed.texts) == delayed)
        let failing = DNSParameters(names: "x", answer: .timeout)
        #expect(try DNSParameters.read(failing.texts) == failing)
    }

    // A query reads back its id, name and question; an error answer echoes them with the code.
    @Test func queryAndAnswer() throws {
        let bytes = DNSQuery.encode(id: 0xbeef, name: "LLM.Example", type: 28)
        let query = try #require(DNSQuery.parse(bytes))
        #expect(query.id == 0xbeef && query.name == "llm.example" && query.flags == 0x0100)
        let answer = query.answer(.nameError)
        #expect(answer[0] == 0xbe && answer[1] == 0xef)
        #expect(answer[2] == 0x81 && answer[3] == 0x83)  // QR, RD; RA, NXDOMAIN
        #expect(Array(answer[4..<12]) == [0, 1, 0, 0, 0, 0, 0, 0] && Array(answer[12...]) == Array(bytes[12...]))
        #expect(DNSQuery.parse(answer) == nil)  // a response is not a query
        #expect(DNSQuery.parse(Array(bytes.prefix(14))) == nil)
        #expect(DNSQuery.parse([UInt8](repeating: 0, count: 5)) == nil)
    }

    // The resolver on loopback, in front of a stand-in upstream: a matching name gets NXDOMAIN at
    // once, another name the upstream's answer; with a delay, the real answer that much later.
    @Test func resolverAnswersAndForwards() async throws {
        let upstream = try UDPEcho()
        defer { upstream.close() }
        for (answer, expectedCode, late) in [(DNSAnswer.nxdomain, UInt8(3), false), (.delay(.milliseconds(300)), UInt8(0), true)] {
            let port = UInt16.random(in: 50000...59999)
            let responder = DNSResponder(port: port, upstream: "127.0.0.1", upstreamPort: upstream.port, names: "^llm$", answer: answer, lifetime: .seconds(2))
            let finished = Task.detached { try responder.run() }
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            let matched = try UDPEcho.ask(port: port, DNSQuery.encode(id: 7, name: "llm"))
            let took = ContinuousClock.now - started
            #expect(matched[0] == 0 && matched[1] == 7)
            #expect(matched[3] & 0x0f == expectedCode, "\(answer): rcode \(matched[3] & 0x0f)")
            #expect(late ? took >= .milliseconds(300) : took < .milliseconds(200), "\(answer) took \(took)")
            let other = try UDPEcho.ask(port: port, DNSQuery.encode(id: 8, name: "db"))
            #expect(other == UDPEcho.reply(to: DNSQuery.encode(id: 8, name: "db")))
            try await finished.value
        }
    }
}

/// A stand-in upstream resolver on loopback: answers every packet with the packet plus `!`.
final class UDPEcho: @unchecked Sendable {
    let descriptor: Int32
    let port: UInt16
    private let thread: Thread

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = HelperSocket.ipv4("127.0.0.1", 0)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
        thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 2048)
            while true {
                var from = sockaddr_in(), length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = withUnsafeMutablePointer(to: &from) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, &buffer, buffer.count, 0, $0, &length) } }
                guard count > 0 else { return }
                let reply = UDPEcho.reply(to: Array(buffer[0..<count]))
                _ = withUnsafePointer(to: &from) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, reply, reply.count, 0, $0, length) } }
            }
        }
        thread.start()
    }

    static func reply(to packet: [UInt8]) -> [UInt8] { packet + Array("!".utf8) }

    func close() { shutdown(descriptor, Int32(SHUT_RDWR)); Glibc.close(descriptor) }

    /// Sends `query` to 127.0.0.1:`port` and waits up to 3 s for one answer.
    static func ask(port: UInt16, _ query: [UInt8]) throws -> [UInt8] {
        let client = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { Glibc.close(client) }
        var address = HelperSocket.ipv4("127.0.0.1", port)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        _ = send(client, query, query.count, 0)
        var ready = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, 3000) > 0 else { throw TestSupportError("no answer from 127.0.0.1:\(port) within 3 s") }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = recv(client, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer[0..<count]) : []
    }
}
