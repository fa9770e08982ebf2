@testable import DockerEngine
import Foundation
import TestSupport
import Testing

/// Fuzzes what faultline decodes from the engine (inspect, list, events, networks, version, error
/// bodies) with mutations of real 20.10 answers: nothing may crash; a mutated answer either
/// decodes or is refused with a `DecodingError`. `FAULTLINE_FUZZ_SECONDS` sets the budget.
@Suite struct DecoderFuzzTests {
    static let inspect = #"""
    {"Id":"5f65360ad593aa","Name":"/fl-try","RestartCount":0,
     "State":{"Status":"running","Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,
              "Pid":1234,"ExitCode":0,"Error":"","StartedAt":"2026-11-22T00:10:00.1Z","FinishedAt":"0001-01-01T00:00:00Z"},
     "Config":{"Hostname":"5f65360ad593","Image":"x","Labels":{"faultline.test":"1","com.docker.compose.service":"db"},"StopSignal":"SIGINT"},
     "HostConfig":{"NanoCpus":0,"CpuQuota":-1,"CpuPeriod":100000,"Memory":0,"MemorySwap":0,"NetworkMode":"fltest",
                   "RestartPolicy":{"Name":"no","MaximumRetryCount":0},"Binds":["/usr:/usr:ro"]},
     "NetworkSettings":{"Networks":{"fltest":{"IPAMConfig":{"IPv4Address":"10.0.0.5"},"Links":null,
         "Aliases":["tryalias","5f65360ad593"],"NetworkID":"net1","EndpointID":"ep","Gateway":"10.0.0.1",
         "IPAddress":"10.0.0.5","IPPrefixLen":24,"MacAddress":"02:42:0a:00:00:05","DriverOpts":null}}}}
    """#
    static let list = #"[{"Id":"abc","Names":["/web"],"Image":"img","State":"running","Status":"Up 2 seconds","Labels":{"a":"b"},"NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.2"}}}}]"#
    static let event = #"{"status":"pause","id":"abc","from":"img","Type":"container","Action":"pause","Actor":{"ID":"abc","Attributes":{"name":"web"}},"scope":"local","time":1,"timeNano":1000000001}"#
    static let network = #"{"Name":"n","Id":"0123456789abcdef","Driver":"bridge","Options":{"com.docker.network.bridge.name":"docker0"},"IPAM":{"Config":[{"Subnet":"10.0.0.0/24"}]},"Containers":{"abc":{"Name":"web","IPv4Address":"10.0.0.5/24"}}}"#
    static let version = #"{"Version":"20.10.24+dfsg1","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}"#
    static let failure = #"{"message":"Container abc is not paused"}"#

    static let tokens = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "-1", "1e400", "18446744073709551616",
                         "-9223372036854775809", "0.5", "\"\"", "[]", "{}", "\"Pid\":", "\"State\":", "\"Networks\":", "\"Aliases\":null", "🔥"]

    @Test func mutatedAnswersNeverCrash() {
        let samples = [Self.inspect, Self.list, Self.event, Self.network, Self.version, Self.failure]
        var mutator = Mutator(seed: UInt64(Date().timeIntervalSince1970), tokens: Self.tokens)
        let seed = mutator.state
        let decoder = JSONDecoder()
        let end = ContinuousClock.now + Mutator.budget(default: 3)
        var inputs = 0, decoded = 0, otherErrors: [String] = []
        while ContinuousClock.now < end {
            let text = mutator.mutate(samples[mutator.below(samples.count)])
            let data = Data(text.utf8)
            inputs += 1
            for attempt in 0..<5 {
                do {
                    switch attempt {
                    case 0: _ = try decoder.decode(ContainerDetails.self, from: data)
                    case 1: _ = try decoder.decode([ContainerSummary].self, from: data)
                    case 2: _ = try decoder.decode(EngineEvent.self, from: data)
                    case 3: _ = try decoder.decode(NetworkDetails.self, from: data)
                    default: _ = try decoder.decode(EngineVersion.self, from: data)
                    }
                    decoded += 1
                } catch is DecodingError {
                } catch {
                    if otherErrors.count < 5 { otherErrors.append("\(error) for \(text.prefix(200))") }
                }
            }
            _ = DockerEngineClient.engineMessage(Array(data), status: 500)
        }
        #expect(inputs > 100)
        #expect(otherErrors.isEmpty, "seed \(seed): \(otherErrors)")
        print("decoder fuzz: \(inputs) inputs, \(decoded) decodes, seed \(seed)")
    }
}
