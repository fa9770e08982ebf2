import DockerEngine
@testable import Faults
import FaultlineSupport
import Foundation
import TestSupport
import Testing

@Suite struct PacketFaultTests {
    func refusal(_ given: [(key: String, texts: [String])]) -> String {
        do { _ = try PacketParameters.read(given); return "accepted" } catch { return "\(error)" }
    }

    // Bad input gets one clear line naming the parameter.
    @Test func refusesWhatCannotBeDone() {
        #expect(refusal([("direction", ["both"])]).contains("give at least one of 'delay', 'loss', 'duplicate', 'corrupt' or 'rate'"))
        #expect(refusal([("rate", ["fast"])]).contains("'fast' is not a rate"))
        #expect(refusal([("rate", ["1mbit"]), ("max-held-bytes", ["1k"])]).contains("at least 64KiB"))
        #expect(refusal([("loss", ["1.5"])]).contains("0.0001 … 1"))
        #expect(refusal([("delay", ["-5ms"])]) != "accepted")
        #expect(refusal([("loss", ["0.1"]), ("jitter", ["5ms"])]).contains("'jitter' goes with 'delay'"))
        #expect(refusal([("delay", ["5ms"]), ("correlation", ["0.5"])]).contains("goes with a 'jitter' above 0"))
        #expect(refusal([("loss", ["0.9"]), ("loss-burst", ["2"])]).contains("cannot be"))
        #expect(refusal([("duplicate", ["0.1"]), ("loss-burst", ["2"])]).contains("'loss-burst' goes with 'loss'"))
        #expect(refusal([("duplicate", ["0.1"]), ("checksums", ["fix"])]).contains("'checksums' goes with 'corrupt'"))
        #expect(refusal([("loss", ["0.1"]), ("max-held", ["2.5"])]).contains("whole number"))
    }

    // What a definition writes out reads back as the same parameters (what the engine process receives).
    @Test func readsBackItsTexts() throws {
        let full = try PacketParameters.read([("delay", ["200ms"]), ("jitter", ["50ms"]), ("distribution", ["pareto"]), ("correlation", ["0.25"]),
                                               ("loss", ["0.05"]), ("loss-burst", ["3"]), ("duplicate", ["0.01"]), ("corrupt", ["0.02"]), ("checksums", ["fix"]),
                                               ("reorder", ["0.1"]), ("direction", ["inbound"]), ("ports", ["5432"]), ("peers", ["postgres"]),
                                               ("rate", ["2mbit"]), ("max-held", ["1000"]), ("max-held-bytes", ["16m"]), ("at-bound", ["drop"])])
        #expect(full.bounds == PacketBounds(maxHeld: 1000, maxHeldBytes: 16 << 20, overflow: .drop))
        #expect(try PacketParameters.read(full.texts) == full)
        #expect(full.summary == "packet delay 200ms±50ms pareto correlated 0.25 loss 5% in bursts of 3 duplicate 1% corrupt 2% (checksums fixed) reorder 10% rate 2mbit inbound port 5432 peer postgres")
        let plain = try PacketParameters.read([("loss", ["0.3"])])
        #expect(try PacketParameters.read(plain.texts) == plain && plain.summary == "packet loss 30% both")
    }

    // Over 200,000 packets: the loss share and mean burst length are the asked ones (±2 %, ±0.3),
    // duplicates and corruption the asked shares, and nothing is held without a delay.
    @Test func decidesLossInBursts() throws {
        let parameters = try PacketParameters.read([("loss", ["0.2"]), ("loss-burst", ["5"]), ("duplicate", ["0.1"]), ("corrupt", ["0.05"])])
        var decider = PacketDecider(parameters, random: SeededGenerator(seed: 7))
        var lost = 0, duplicated = 0, corrupted = 0, runs = 0, inRun = false
        let total = 200_000
        for _ in 0..<total {
            let decision = decider.decide()
            #expect(decision.hold == .zero)
            if decision.drop { lost += 1; if !inRun { runs += 1 } }
            inRun = decision.drop
            if decision.duplicate { duplicated += 1 }
            if decision.corruptBit != nil { corrupted += 1 }
        }
        #expect(abs(Double(lost) / Double(total) - 0.2) < 0.02)
        #expect(abs(Double(lost) / Double(runs) - 5) < 0.3)
        let kept = Double(total - lost)
        #expect(abs(Double(duplicated) / kept - 0.1) < 0.01 && abs(Double(corrupted) / kept - 0.05) < 0.01)
    }

    // Delays: normal keeps the mean and standard deviation asked (±2 ms); pareto's extra has the
    // jitter as its mean and a heavy tail; correlation makes neighbours alike; reordered ones go at once.
    @Test func decidesDelays() throws {
        func holds(_ given: [(key: String, texts: [String])], count: Int = 50_000) throws -> [Double] {
            var decider = PacketDecider(try PacketParameters.read(given), random: SeededGenerator(seed: 11))
            return (0..<count).map { _ in decider.decide().hold.seconds * 1000 }
        }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        func deviation(_ values: [Double]) -> Double { let m = mean(values); return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)).squareRoot() }
        let normal = try holds([("delay", ["200ms"]), ("jitter", ["20ms"])])
        #expect(abs(mean(normal) - 200) < 2 && abs(deviation(normal) - 20) < 2)
        let pareto = try holds([("delay", ["100ms"]), ("jitter", ["20ms"]), ("distribution", ["pareto"])])
        #expect(abs(mean(pareto) - 120) < 2 && pareto.min()! >= 100 && pareto.max()! > 200)
        let correlated = try holds([("delay", ["100ms"]), ("jitter", ["20ms"]), ("correlation", ["0.9"])])
        let steps = zip(correlated, correlated.dropFirst()).map { abs($0 - $1) }
        let independentSteps = zip(normal, normal.dropFirst()).map { abs($0 - $1) }
        #expect(mean(steps) * 3 < mean(independentSteps))
        let reordered = try holds([("delay", ["100ms"]), ("reorder", ["0.25"])])
        #expect(abs(Double(reordered.filter { $0 == 0 }.count) / Double(reordered.count) - 0.25) < 0.01)
    }

    // One bit flipped after the IP header; with fix, only in the UDP payload and the checksum is
    // right again (a checksum computed over the whole segment sums to 0xffff).
    @Test func corruptsOneBit() {
        // IPv4 (20 bytes) + UDP (8) + 4 bytes payload, 10.0.0.1 → 10.0.0.2.
        var packet: [UInt8] = [0x45, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                               0x30, 0x39, 0x27, 0x0f, 0, 12, 0xff, 0xff, 1, 2, 3, 4]
        let header = IPv4Header(packet)!
        IPv4Header.fixTransportChecksum(&packet, header: header)
        let original = packet
        #expect(PacketCorruption.flip(&packet, bit: 3, checksums: .fix))
        let differing = zip(original, packet).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        #expect(differing.contains(28) && differing.allSatisfy { $0 == 28 || $0 == 26 || $0 == 27 })
        var sum: UInt32 = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 12
        for index in stride(from: 20, to: 32, by: 2) { sum += UInt32(packet[index]) << 8 | UInt32(packet[index + 1]) }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        #expect(sum == 0xffff)
        var broken = original
        #expect(PacketCorruption.flip(&broken, bit: 0, checksums: .break))
        #expect(zip(original, broken).filter { $0 != $1 }.count == 1 && broken[..<20] == original[..<20])
        var empty = Array(original[..<28])
        empty[3] = 28
        #expect(!PacketCorruption.flip(&empty, bit: 0, checksums: .fix))
    }

    // Rules: one per chain × peer × port, to the queue with bypass, loopback and the engine's own copies exempt.
    @Test func queuesMatchingPackets() {
        let rules = PacketFault.rules(queue: 4711, direction: .both, ports: [.init(number: 5432)], peers: ["10.0.0.5"], mark: "m")
        #expect(rules.map(\.chain) == ["INPUT", "OUTPUT"])
        #expect(rules[0].match == ["!", "-i", "lo", "-m", "mark", "!", "--mark", "0xfa17", "-s", "10.0.0.5", "-p", "tcp", "-m", "multiport", "--ports", "5432"])
        #expect(rules[1].match.contains("-d") && rules.allSatisfy { $0.target == "NFQUEUE" && $0.targetOptions == ["--queue-num", "4711", "--queue-bypass"] })
        #expect(PacketFault.rules(queue: 1, direction: .outbound, ports: [], peers: [], mark: "m").count == 1)
    }

    // A kernel without the NFQUEUE target: one line saying so and what to use instead; the rule
    // that failed is not left, and the revert stops the engine.
    @Test func saysWhenTheKernelLacksNFQUEUE() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 77))
        fake.processes.state.withLock { $0.cgroups[77] = ["/fake/cpu/77"] }
        fake.namespaces.failCommands(containing: "-j NFQUEUE", output: "iptables v1.8.9 (nf_tables): Couldn't load target `NFQUEUE':No such file or directory")
        let prepared = try await PacketParameters(loss: PacketLoss(probability: 0.1)).action(hasWindow: true)
            .prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(5))
        guard case .steps(let steps) = prepared.revert, case .network(let rules) = steps[0] else {
            Issue.record("\(prepared.revert)")
            return
        }
        let queue = try #require(rules.rules.first?.targetOptions?[1])
        fake.files.state.withLock { $0.texts["/proc/77/net/netfilter/nfnetlink_queue"] = "  \(queue)  31337 0 2 65535 0 0 0  1\n" }
        await #expect { try await prepared.inject(fake.environment) } throws: {
            "\($0)".contains("no NFQUEUE target") && "\($0)".contains("faultline proxy --toxic")
        }
        #expect(fake.namespaces.state.withLock { $0.rules.isEmpty })
        _ = try await prepared.revert.apply(in: fake.environment)
        #expect(fake.processes.hogs.isEmpty)
    }

    // The rate's link: a packet leaves after its delay and after the ones before it in its own
    // direction, plus its time on the wire; the other direction is a link of its own. A packet's
    // length comes from its IPv4 or IPv6 header.
    @Test func sendsOneAfterAnotherAtTheRate() {
        var link = PacketLink(bytesPerSecond: 1000)
        let start = ContinuousClock.now
        let first = link.departure(.outbound, earliest: start, bytes: 100)
        #expect(first == start + .milliseconds(100))
        link.commit(.outbound, departure: first)
        // Arriving at once behind it: waits for the first, then its own 50 ms.
        #expect(link.departure(.outbound, earliest: start, bytes: 50) == start + .milliseconds(150))
        // Delayed past the link's free time: leaves after its delay plus its own time.
        #expect(link.departure(.outbound, earliest: start + .seconds(1), bytes: 50) == start + .milliseconds(1050))
        #expect(link.departure(.inbound, earliest: start, bytes: 50) == start + .milliseconds(50))
        let ipv4: [UInt8] = [0x45, 0, 0x05, 0xdc, 0, 0]
        let ipv6: [UInt8] = [0x60, 0, 0, 0, 0x00, 0x10]
        let gso: [UInt8] = [0x45, 0, 0, 0, 0, 0]
        #expect(ipv4.withUnsafeBytes(PacketLink.length(ofPacket:)) == 1500)
        #expect(ipv6.withUnsafeBytes(PacketLink.length(ofPacket:)) == 56)
        #expect(gso.withUnsafeBytes(PacketLink.length(ofPacket:)) == 65_535)
        #expect([UInt8]([0x45, 0]).withUnsafeBytes(PacketLink.length(ofPacket:)) == nil)
    }

    // Held packets leave by due time, those due together in arrival order.
    @Test func releasesByDueTime() {
        var queue = ReleaseQueue()
        let start = ContinuousClock.now
        for (order, offset) in [(1, 30), (2, 10), (3, 20), (4, 10)] {
            queue.push(HeldPacket(id: UInt32(order), due: start + .milliseconds(offset), order: UInt64(order), payload: nil, bytes: 100, corrupted: false, duplicate: false))
        }
        #expect(queue.popDue(by: start + .milliseconds(5)) == nil)
        var released: [UInt32] = []
        while let packet = queue.popDue(by: start + .milliseconds(20)) { released.append(packet.id) }
        #expect(released == [2, 4, 3] && queue.count == 1 && queue.popDue(by: nil)?.id == 1)
    }

    // The engine starts in the container's namespace and cgroups and binds its queue before the
    // rules go in; the revert deletes the rules first, then stops it.
    @Test func startsTheEngineThenQueues() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 77))
        fake.processes.state.withLock { $0.cgroups[77] = ["/fake/cpu/77"] }
        let parameters = try PacketParameters.read([("delay", ["100ms"])])
        let prepared = try await parameters.action(hasWindow: true).prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(20))
        guard case .steps(let steps) = prepared.revert, case .network(let rules) = steps[0], case .hog(let engine) = steps[1] else {
            Issue.record("\(prepared.revert)")
            return
        }
        let queue = try #require(rules.rules.first?.targetOptions?[1])
        fake.files.state.withLock { $0.texts["/proc/77/net/netfilter/nfnetlink_queue"] = "  \(queue)  31337 0 2 65535 0 0 0  1\n" }
        try await prepared.inject(fake.environment)
        let command = try #require(fake.processes.hogs[engine.token]?.command)
        #expect(Array(command.dropFirst().prefix(3)) == ["packet-engine", "--queue", queue])
        #expect(command.contains("--owner-pid") && command.contains("25s"))
        #expect(fake.namespaces.state.withLock { $0.rules.count } == 2)
        // What the engine writes as it ends comes back with the revert, as figures (the report's
        // window and the agent's answer carry them) and in its text.
        let countsFile = try #require(command.firstIndex(of: "--counts").map { command[$0 + 1] })
        var counts = PacketCounts()
        counts.seen = 10
        counts.delayed = 9
        counts.rateLimited = 4
        counts.mostHeldBytes = 2048
        counts.write(to: countsFile)
        let written = try String(contentsOfFile: countsFile, encoding: .utf8)
        #expect(written.contains("\"rate_limited\":4") && written.contains("\"most_held_bytes\":2048"), "\(written)")
        let outcome = try await prepared.revert.apply(in: fake.environment)
        #expect(outcome == .restoredCounting(counts) && outcome.packetCounts == counts && outcome.isRestored)
        #expect(outcome.description == "restored; the packet engine saw 10 packets: 9 delayed (4 waiting for the rate), 0 dropped, 0 duplicated, 0 corrupted; at most 0 held at once (2KiB)")
        #expect(fake.namespaces.state.withLock { $0.rules.isEmpty } && fake.processes.hogs.isEmpty && !FileManager.default.fileExists(atPath: countsFile))
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("no rule or qdisc of this fault was left"))
    }
}
