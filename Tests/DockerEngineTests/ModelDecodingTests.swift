import DockerEngine
import Foundation
import Testing

@Suite struct ModelDecodingTests {
    // A real 20.10 inspect answer (trimmed) decodes with state, limits and endpoint settings.
    @Test func decodesInspect() throws {
        let json = #"""
        {"Id":"5f65360ad593aa","Name":"/fl-try","RestartCount":0,
         "State":{"Status":"running","Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,
                  "Pid":1234,"ExitCode":0,"Error":"","StartedAt":"2026-11-22T00:10:00.1Z","FinishedAt":"0001-01-01T00:00:00Z"},
         "Config":{"Hostname":"5f65360ad593","Image":"x","Labels":{"faultline.test":"1"},"StopSignal":null},
         "HostConfig":{"NanoCpus":0,"CpuQuota":0,"CpuPeriod":0,"Memory":0,"MemorySwap":0,"NetworkMode":"fltest",
                       "RestartPolicy":{"Name":"no","MaximumRetryCount":0}},
         "NetworkSettings":{"Networks":{"fltest":{"IPAMConfig":{"IPv4Address":"10.0.0.5"},"Links":null,
             "Aliases":["tryalias","5f65360ad593"],"NetworkID":"net1","EndpointID":"ep","Gateway":"10.0.0.1",
             "IPAddress":"10.0.0.5","IPPrefixLen":24,"MacAddress":"02:42:0a:00:00:05","DriverOpts":null}}}}
        """#
        let details = try JSONDecoder().decode(ContainerDetails.self, from: Data(json.utf8))
        #expect(details.name == "fl-try")
        #expect(details.state.pid == 1234)
        #expect(details.labels["faultline.test"] == "1")
        let endpoint = try #require(details.networkSettings.networks?["fltest"])
        #expect(endpoint.aliases == ["tryalias", "5f65360ad593"])
        #expect(endpoint.ipamConfig?.ipv4Address == "10.0.0.5")
        #expect(details.hostConfig.restartPolicy?.name == "no")
    }

    // Events decode with actor id and attributes.
    @Test func decodesEvents() throws {
        let json = #"{"status":"pause","id":"abc","from":"img","Type":"container","Action":"pause","Actor":{"ID":"abc","Attributes":{"name":"web"}},"scope":"local","time":1,"timeNano":1000000001}"#
        let event = try JSONDecoder().decode(EngineEvent.self, from: Data(json.utf8))
        #expect(event.action == "pause")
        #expect(event.actor.attributes?["name"] == "web")
        #expect(event.timeNano == 1_000_000_001)
    }

    // A bridge network's Linux interface is docker0 for the default bridge, br-<id> otherwise.
    @Test func namesBridges() throws {
        let named = try JSONDecoder().decode(NetworkDetails.self, from: Data(#"{"Name":"bridge","Id":"abc","Driver":"bridge","Options":{"com.docker.network.bridge.name":"docker0"}}"#.utf8))
        #expect(named.bridgeInterface == "docker0")
        let user = try JSONDecoder().decode(NetworkDetails.self, from: Data(#"{"Name":"n","Id":"0123456789abcdef","Driver":"bridge","Options":{}}"#.utf8))
        #expect(user.bridgeInterface == "br-0123456789ab")
    }

    // A Swarm node's address is Status.Addr; a manager given as 0.0.0.0 there is named by its Raft address.
    @Test func decodesSwarmNodeAddresses() throws {
        let worker = try JSONDecoder().decode(SwarmNode.self, from: Data(#"{"ID":"w","Description":{"Hostname":"node2"},"Status":{"State":"ready","Addr":"172.28.0.3"}}"#.utf8))
        #expect(worker.address == "172.28.0.3" && worker.name == "node2" && worker.state == "ready")
        let manager = try JSONDecoder().decode(SwarmNode.self, from: Data(#"{"ID":"m","Status":{"Addr":"0.0.0.0"},"ManagerStatus":{"Addr":"172.28.0.2:2377"}}"#.utf8))
        #expect(manager.address == "172.28.0.2")
        #expect(try JSONDecoder().decode(SwarmNode.self, from: Data(#"{"ID":"x"}"#.utf8)).address == "")
    }
}
