@testable import Campaign
import Faults
import Probes
import Testing

@Suite struct CampaignParserTests {
    static let valid = """
    name: db-outage
    seed: 42
    settings: { blast_radius: 3, recovery_limit: 20s }
    targets:
      db: { compose: { project: shop, service: postgres } }
      web: { name_regex: "^shop_web_[0-9]+$", pick: { random: 1 } }
      cache: { label: [tier=cache] }
    probes:
      - name: api
        http: { url: "http://127.0.0.1:8000/health", expect_status: 200, json_fields: { status: ok } }
        every: 100ms
        timeout: 500ms
      - name: ws-error
        websocket:
          url: ws://127.0.0.1:8000/ws
          send: ['{"type":"start_agent"}']
          expect: [{ type: error, fields: [{ path: message, min_length: 3 }] }]
      - name: db
        postgres: { dsn: "postgres://app@127.0.0.1:5435/app", expect_value: "1" }
    hypothesis:
      steady_state: { window: 3s }
      checks:
        - { probe: api, max_error_rate: 0.1 }
        - { probe: api, max_p99: 250ms }
        - { probe: db, recover_within: 10s, targets: [db] }
        - { probe: ws-error, passes_within: 5s, targets: [db] }
    stop_when:
      - { probe: api, failing_for: 30s }
    timeline:
      - at: 5s
        fault: { pause: { target: db } }
        for: 3s
        repeat: { every: 15s, times: 3, jitter: 2s }
      - at: 1s
        fault: { kill: { target: web, signal: term } }
      - at: 2s
        fault: { memory: { target: cache, limit: 64m } }
        for: 1s
    chaos:
      targets: [web, cache]
      faults: [pause, { cpu: { cpus: 0.2 } }]
      count: 4
      between: [10s, 40s]
      duration: [1s, 3s]
    """

    // A full campaign reads into its model.
    @Test func readsEverything() throws {
        let campaign = try CampaignParser.parse(Self.valid, file: "c.yaml")
        #expect(campaign.name == "db-outage" && campaign.seed == 42)
        #expect(campaign.settings.blastRadius == 3 && campaign.settings.recoveryLimit == .seconds(20))
        #expect(campaign.settings.trialPlan == .replay)
        let sentinel = try CampaignParser.parse(Self.minimal.replacingOccurrences(
            of: "tcp: { host: 127.0.0.1, port: 5432 }", with: "redis: { sentinels: [127.0.0.1:26379, 127.0.0.1:26380], master: mymaster }"), file: "c.yaml")
        guard case .redis(let redis) = sentinel.probes[0].config else { Issue.record("not redis"); return }
        #expect(redis.sentinels == ["127.0.0.1:26379", "127.0.0.1:26380"] && redis.master == "mymaster" && redis.port == 26379)
        #expect(try CampaignParser.parse(Self.minimal + "\nsettings: { trial_plan: reseed }", file: "c.yaml").settings.trialPlan == .reseed)
        #expect(campaign.target(named: "db")?.match == .compose(project: "shop", service: "postgres"))
        #expect(campaign.target(named: "web")?.pick == .random(1))
        #expect(campaign.target(named: "cache")?.match == .labels(["tier=cache"]))
        #expect(campaign.probes.map(\.name) == ["api", "ws-error", "db"])
        #expect(campaign.probe(named: "api")?.every == .milliseconds(100))
        guard case .websocket(let ws) = campaign.probe(named: "ws-error")?.config else { Issue.record("not ws"); return }
        #expect(ws.expect == [WebSocketExpectation(type: "error", fields: [FieldCheck(path: "message", minLength: 3)])])
        #expect(campaign.hypothesis.checks.count == 4)
        #expect(campaign.hypothesis.checks[2] == HypothesisCheck(probe: "db", rule: .recoverWithin(.seconds(10)), targets: ["db"]))
        #expect(campaign.timeline[0].repeatRule == TimelineEntry.RepeatRule(every: .seconds(15), times: 3, jitter: .seconds(2)))
        #expect(campaign.timeline[1].fault == FaultSpec(target: "web", parameters: KillParameters(signal: "SIGTERM")))
        #expect((campaign.timeline[2].fault.parameters as? MemoryParameters)?.memory == 64 << 20)
        #expect(campaign.chaos?.faults.map(\.kind) == [.pause, .cpu])
        #expect(campaign.stopWhen == [StopCondition(probe: "api", failingFor: .seconds(30))])
    }

    /// The error for `text` (a campaign with one mistake).
    func error(_ text: String) -> CampaignError? {
        do {
            _ = try CampaignParser.parse(text, file: "bad.yaml")
            return nil
        } catch {
            return error
        }
    }

    static let minimal = """
    name: x
    targets:
      db: { name: postgres }
    probes:
      - name: db
        tcp: { host: 127.0.0.1, port: 5432 }
    timeline:
      - at: 1s
        fault: { pause: { target: db } }
        for: 2s
    """

    // The minimal campaign is valid (the base of the error cases below).
    @Test func minimalIsValid() throws {
        _ = try CampaignParser.parse(Self.minimal, file: "ok.yaml")
    }

    // Every mistake names file, line and column, the key path, and the allowed values.
    @Test(arguments: [
        ("timelin:", "x", "bad.yaml:7:1: timelin: unknown key 'timelin'; did you mean 'timeline'? (allowed: name, description"),
        ("fault: { pause: { target: db } }", "fault: { paus: { target: db } }", "bad.yaml:9:14: timeline[0].fault.paus: unknown key 'paus'; did you mean 'pause'?"),
        ("target: db } }", "target: dbb } }", "bad.yaml:9:31: timeline[0].fault.pause.target: unknown target 'dbb'; did you mean 'db'? (targets: db)"),
        ("for: 2s", "for: 2q", "bad.yaml:10:10: timeline[0].for: invalid duration '2q': unknown unit 'q'"),
        ("for: 2s", "", "bad.yaml:8:5: timeline[0]: pause needs 'for'"),
        ("tcp: { host: 127.0.0.1, port: 5432 }", "tcp: { host: 127.0.0.1, port: 99999 }", "probes[0].tcp.port: 99999 is out of range 1…65535"),
        ("tcp: { host: 127.0.0.1, port: 5432 }", "htp: { url: x }", "probes[0].htp: unknown key 'htp'; did you mean 'http'?"),
        ("db: { name: postgres }", "db: { nam: postgres }", "targets.db.nam: unknown key 'nam'; did you mean 'name'?"),
        ("db: { name: postgres }", "db: { name: postgres, label: a=b }", "targets.db: give only one of name, label"),
        ("at: 1s", "at: soon", "timeline[0].at: invalid duration 'soon'"),
        ("name: x", "name: x\nseed: -3", "seed: expected a whole number 0 or more"),
        ("name: x", "name: [x", "not valid YAML"),
        ("tcp: { host: 127.0.0.1, port: 5432 }", "redis: { sentinels: [127.0.0.1:26379] }", "probes[0].redis: missing 'master': the name the Sentinels monitor"),
        ("tcp: { host: 127.0.0.1, port: 5432 }", "redis: { host: a, sentinels: [127.0.0.1:26379], master: m }", "give either host and port, or sentinels and master"),
        ("tcp: { host: 127.0.0.1, port: 5432 }", "redis: { host: a, master: m }", "probes[0].redis.master: 'master' needs 'sentinels' to ask"),
        ("name: x", "name: x\nsettings: { trial_plan: reshuffle }", "bad.yaml:2:25: settings.trial_plan: 'reshuffle' is not allowed"),
    ])
    func locatesMistakes(original: String, replacement: String, expected: String) {
        let text = original == "timelin:" ? Self.minimal.replacingOccurrences(of: "timeline:", with: "timelin:") : Self.minimal.replacingOccurrences(of: original, with: replacement)
        guard let error = error(text) else {
            Issue.record("accepted: \(text)")
            return
        }
        #expect(error.description.contains(expected), "\(error.description)")
        #expect(error.exitCode == .invalidInput)
    }

    // Cross-references and rules: unknown probes in checks and stop conditions, one rule per check,
    // a repeat shorter than its window, memory below the minimum, nothing to inject.
    @Test func checksReferences() {
        let additions: [(String, String)] = [
            ("hypothesis: { checks: [{ probe: dbb, recover_within: 5s }] }", "hypothesis.checks[0].probe: unknown probe 'dbb'; did you mean 'db'?"),
            ("stop_when: [{ probe: api, failing_for: 5s }]", "stop_when[0].probe: unknown probe 'api'"),
            ("hypothesis: { checks: [{ probe: db, recover_within: 5s, max_p99: 1s }] }", "give one rule per check, not max_p99 and recover_within"),
            ("hypothesis: { checks: [{ probe: db, max_error_rate: 2 }] }", "max_error_rate: 2.0 is out of range 0.0…1.0"),
        ]
        for (addition, expected) in additions {
            let message = error(Self.minimal + "\n" + addition)?.description ?? "accepted"
            #expect(message.contains(expected), "\(message)")
        }
        let overlappingRepeat = Self.minimal.replacingOccurrences(of: "for: 2s", with: "for: 2s\n    repeat: { every: 3s, times: 2, jitter: 1s }")
        #expect(error(overlappingRepeat)?.description.contains("must be longer than the window plus twice the jitter") == true)
        let tinyMemory = Self.minimal.replacingOccurrences(of: "pause: { target: db }", with: "memory: { target: db, limit: 1m }")
        #expect(error(tinyMemory)?.description.contains("at least 6MiB") == true)
        let nothing = "name: x\ntargets:\n  db: { name: postgres }\n"
        #expect(error(nothing)?.description.contains("there is nothing to inject") == true)
        let restartWindow = Self.minimal.replacingOccurrences(of: "pause: { target: db }", with: "restart: { target: db }")
        #expect(error(restartWindow)?.description.contains("restart is one-shot") == true)
    }

    // ${NAME} in values expands from the environment (with :- defaults, $${ literal, CAMPAIGN_DIR);
    // a variable that is not set is a located error naming it.
    @Test func expandsVariables() throws {
        let variables = VariableExpansion(variables: ["DB": "postgres", "PORT": "6543", "EMPTY": ""])
        let text = Self.minimal
            .replacingOccurrences(of: "name: postgres", with: #"name: "${DB}""#)   // quoted: braces are YAML flow syntax
            .replacingOccurrences(of: "port: 5432", with: #"port: "${PORT}""#)
        let campaign = try CampaignParser.parse(text, file: "vars.yaml", variables: variables)
        #expect(campaign.targets[0].match == .name("postgres"))
        #expect(campaign.probes[0].config == .tcp(TCPProbeConfig(host: "127.0.0.1", port: 6543)))
        #expect(try variables.expand("${EMPTY:-fallback} ${MISSING:-x} $${LITERAL} $HOME ${DB}") == "fallback x ${LITERAL} $HOME postgres")
        #expect(VariableExpansion.forCampaign(file: "/srv/faults/a.yaml", environment: [:]).variables["CAMPAIGN_DIR"] == "/srv/faults")
        let unset = Self.minimal.replacingOccurrences(of: "name: postgres", with: #"name: "${NOT_SET_ANYWHERE}""#)
        do {
            _ = try CampaignParser.parse(unset, file: "vars.yaml", variables: variables)
            Issue.record("accepted an unset variable")
        } catch {
            #expect(error.description.contains("vars.yaml:3:15: targets.db.name: environment variable NOT_SET_ANYWHERE is not set"), "\(error.description)")
        }
        #expect(throws: VariableExpansion.Failure.self) { try variables.expand("${unclosed") }
        #expect(throws: VariableExpansion.Failure.self) { try variables.expand("${1BAD}") }
    }
}

