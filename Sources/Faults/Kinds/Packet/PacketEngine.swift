import CNetfilterQueue
import FaultlineSupport
import Foundation
import Glibc

/// faultline's packet engine: the process the `packet` fault starts in a container's network
/// namespace. It reads one NFQUEUE (libnetfilter_queue) and gives every packet the marked rules
/// send there its verdict: dropped, let through at once, or held and let through later (its
/// payload corrupted, a copy sent after it). One thread, one poll loop: packets in, held packets
/// out when due. The queue is fail-open and its rules carry `--queue-bypass`, so when this process
/// is gone packets pass. It ends when its lifetime does (deleting its rules), on SIGTERM (the
/// revert's, after it deleted the rules), or at once when the faultline process that started it
/// dies; what it held is let through each time (a SIGKILL loses it, as a lossy link would).
public final class PacketEngine {
    let queue: UInt16
    var decider: PacketDecider<SystemRandomNumberGenerator>
    let bounds: PacketBounds
    /// The rate's link per direction; nil without a rate.
    var link: PacketLink?
    let lifetime: Duration
    let ruleMark: String?
    let ownerPID: Int32?
    /// Where the counts go when it ends (nil: nowhere).
    let countsFile: String?
    private var counts = PacketCounts()
    private var held = ReleaseQueue()
    private var heldBytes: Int64 = 0
    private var queueHandle: OpaquePointer?
    private var rawSocket: Int32 = -1
    private var arrivals: UInt64 = 0

    public init(queue: UInt16, parameters: PacketParameters, lifetime: Duration, ruleMark: String?, ownerPID: Int32?, countsFile: String? = nil) {
        self.queue = queue
        decider = PacketDecider(parameters, random: SystemRandomNumberGenerator())
        bounds = parameters.bounds ?? .standard
        link = parameters.rate.flatMap(RateText.bytesPerSecond).map(PacketLink.init(bytesPerSecond:))
        self.lifetime = lifetime
        self.ruleMark = ruleMark
        self.ownerPID = ownerPID
        self.countsFile = countsFile
    }

    /// Serves the queue until the lifetime ends, SIGTERM comes or the owner dies; writes its counts.
    public func run() throws {
        defer { if let countsFile { counts.write(to: countsFile) } }
        let ends = ContinuousClock.now + lifetime
        guard let handle = nfq_open() else { throw FaultProcessError(message: "nfq_open: \(String(cString: strerror(errno))) (is nfnetlink_queue available?)") }
        defer { nfq_close(handle) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let queueHandle = nfq_create_queue(handle, queue, { queueHandle, _, data, context in
            guard let data, let context else { return 0 }
            Unmanaged<PacketEngine>.fromOpaque(context).takeUnretainedValue().arrived(data)
            return 0
        }, context) else {
            throw FaultProcessError(message: "NFQUEUE \(queue) could not be bound (another reader has it?): \(String(cString: strerror(errno)))")
        }
        self.queueHandle = queueHandle
        defer { nfq_destroy_queue(queueHandle) }
        // Whole payloads cross to this process only when a packet may be copied or changed; otherwise
        // only its headers do (its length counts toward the byte bound and the rate), and large
        // (GSO) packets stay whole instead of being cut up first.
        let parameters = decider.parameters
        let needsPayload = parameters.duplicate != nil || parameters.corruption != nil
        guard nfq_set_mode(queueHandle, UInt8(NFQNL_COPY_PACKET.rawValue), needsPayload ? 0xffff : Self.headerBytes) >= 0 else {
            throw FaultProcessError(message: "nfq_set_mode: \(String(cString: strerror(errno)))")
        }
        // The kernel keeps held packets in the queue: room for the bound, and past it accept, not drop.
        _ = nfq_set_queue_maxlen(queueHandle, UInt32(bounds.maxHeld + 4096))
        let flags = UInt32(NFQA_CFG_F_FAIL_OPEN) | (needsPayload ? 0 : UInt32(NFQA_CFG_F_GSO))
        _ = nfq_set_queue_flags(queueHandle, flags, flags)
        let descriptor = nfq_fd(handle)
        var buffer: Int32 = 16 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, socklen_t(MemoryLayout<Int32>.size))
        _ = fl_netlink_no_enobufs(descriptor)
        let owner = ownerPID.map { fl_pidfd_open($0) } ?? -1
        if let ownerPID, owner < 0 { throw FaultProcessError(message: "the faultline process \(ownerPID) that started the engine is gone") }
        // The revert deletes the rules, then sends SIGTERM: what is held goes through before the exit.
        let terminated = fl_sigterm_descriptor()
        rawSocket = Self.copySocket()
        defer {
            if rawSocket >= 0 { close(rawSocket) }
            if owner >= 0 { close(owner) }
        }

        var message = [UInt8](repeating: 0, count: 0x10000 + 4096)
        // A held packet leaves when it is due, not up to a millisecond later: the wait is to the
        // nanosecond and the kernel may end it at most 1 µs late (its default slack is 50 µs).
        PrecisePoll.limitTimerSlack(to: .microseconds(1))
        // A descriptor of -1 is skipped by poll.
        var watched = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: owner, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: terminated, events: Int16(POLLIN), revents: 0)]
        while ContinuousClock.now < ends {
            let next = held.nextDue.map { min($0, ends) } ?? ends
            for index in watched.indices { watched[index].revents = 0 }
            let ready = PrecisePoll.wait(&watched, until: min(next, .now + .seconds(1)))
            if ready < 0 && errno != EINTR { throw FaultProcessError(message: "poll: \(String(cString: strerror(errno)))") }
            if watched[2].revents != 0 {
                releaseDue(nil)
                return
            }
            if watched[1].revents != 0 {
                // Its owner is gone: what it held goes through, and with no reader the rules let
                // everything pass; the warden or `recover` delete them from the ledger's record.
                releaseDue(nil)
                return
            }
            if watched[0].revents & Int16(POLLIN) != 0 {
                while true {
                    let count = message.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    if count <= 0 { break }
                    message.withUnsafeMutableBytes { _ = nfq_handle_packet(handle, $0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(count)) }
                }
            }
            releaseDue(ContinuousClock.now)
        }
        // Rules first (no new packets come), then everything held goes through.
        if let ruleMark { HelperRules.delete(markedWith: ruleMark, table: "filter", chains: ["INPUT", "OUTPUT"]) }
        releaseDue(nil)
    }

    /// How much of a packet crosses when its payload is not needed: the IP header and more.
    static let headerBytes: UInt32 = 64

    /// One packet from the queue: its verdict now, or held for later.
    private func arrived(_ data: OpaquePointer) {
        let id = fl_nfq_packet_id(data)
        arrivals &+= 1
        counts.seen += 1
        let decision = decider.decide()
        if decision.drop {
            counts.dropped += 1
            return verdict(id, NF_DROP)
        }
        var start: UnsafeMutablePointer<UInt8>?
        let copied = Int(max(0, nfq_get_payload(data, &start)))
        let bytes = start.flatMap { PacketLink.length(ofPacket: UnsafeRawBufferPointer(start: $0, count: copied)) } ?? copied
        let now = ContinuousClock.now
        var due = now + decision.hold
        let direction: TrafficDirection = fl_nfq_packet_hook(data) == UInt8(NF_INET_LOCAL_IN.rawValue) ? .inbound : .outbound
        if let link { due = link.departure(direction, earliest: due, bytes: bytes) }
        if due > now && (held.count >= bounds.maxHeld || heldBytes + Int64(bytes) > bounds.maxHeldBytes) {
            counts.pastBound += 1
            if bounds.overflow == .drop { counts.dropped += 1 }
            return verdict(id, bounds.overflow == .accept ? NF_ACCEPT : NF_DROP)
        }
        if link != nil {
            link?.commit(direction, departure: due)
            if due > now + decision.hold { counts.rateLimited += 1 }
        }
        var payload: [UInt8]?
        if decision.duplicate || decision.corruptBit != nil, copied > 0, let start {
            payload = Array(UnsafeBufferPointer(start: start, count: copied))
        }
        var corrupted = false
        if let bit = decision.corruptBit, var bytes = payload, let checksums = decider.parameters.corruption?.checksums {
            corrupted = PacketCorruption.flip(&bytes, bit: bit, checksums: checksums)
            payload = bytes
        }
        let packet = HeldPacket(id: id, due: due, order: arrivals, payload: payload, bytes: bytes, corrupted: corrupted, duplicate: decision.duplicate)
        if corrupted { counts.corrupted += 1 }
        if decision.duplicate && payload != nil { counts.duplicated += 1 }
        if due <= now {
            release(packet)
        } else {
            counts.delayed += 1
            held.push(packet)
            heldBytes += Int64(bytes)
            counts.mostHeld = max(counts.mostHeld, held.count)
            counts.mostHeldBytes = max(counts.mostHeldBytes, heldBytes)
        }
    }

    /// Lets through every held packet due by `now` (all of them when nil).
    private func releaseDue(_ now: ContinuousClock.Instant?) {
        while let packet = held.popDue(by: now) {
            heldBytes -= Int64(packet.bytes)
            release(packet)
        }
    }

    private func release(_ packet: HeldPacket) {
        if packet.corrupted, let payload = packet.payload {
            payload.withUnsafeBufferPointer { _ = nfq_set_verdict(queueHandle, packet.id, UInt32(NF_ACCEPT), UInt32($0.count), $0.baseAddress) }
        } else {
            verdict(packet.id, NF_ACCEPT)
        }
        if packet.duplicate, let payload = packet.payload { sendCopy(payload) }
    }

    private func verdict(_ id: UInt32, _ verdict: Int32) { _ = nfq_set_verdict(queueHandle, id, UInt32(verdict), 0, nil) }

    /// A copy goes out through a raw socket carrying the helpers' mark, which the rules let pass: a
    /// copy of an outgoing packet leaves as it did; one of an arriving packet (addressed to this
    /// namespace) comes in over loopback, which the rules leave alone too.
    private func sendCopy(_ payload: [UInt8]) {
        guard rawSocket >= 0, payload.count >= 20 else { return }
        var destination = sockaddr_in()
        destination.sin_family = sa_family_t(AF_INET)
        payload.withUnsafeBytes { bytes in withUnsafeMutableBytes(of: &destination.sin_addr) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[16..<20])) } }
        _ = payload.withUnsafeBytes { bytes in
            withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(rawSocket, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    private static func copySocket() -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_RAW))
        guard descriptor >= 0 else { return -1 }
        var mark = HelperSocket.forwardMark
        setsockopt(descriptor, SOL_SOCKET, SO_MARK, &mark, socklen_t(MemoryLayout<UInt32>.size))
        return descriptor
    }
}
