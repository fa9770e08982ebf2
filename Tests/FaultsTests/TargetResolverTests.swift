import DockerEngine
@testable import Faults
import TestSupport
import Testing

@Suite struct TargetResolverTests {
    func fake() -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "aaa111", name: "proj_redis_1", labels: ["com.docker.compose.service": "redis"]))
        fake.add(FakeEngine.details(id: "bbb222", name: "postgres"))
        fake.add(FakeEngine.details(id: "ccc333", name: "vault", labels: ["faultline.protect": "true"]))
        fake.add(FakeEngine.details(id: "ddd444", name: "faultline-self"))
        return fake
    }

    // Exact names, id prefixes and compose services resolve to the one container.
    @Test func resolves() async throws {
        let resolver = TargetResolver(containers: fake(), ownContainerID: nil)
        #expect(try await resolver.resolve("postgres").id == "bbb222")
        #expect(try await resolver.resolve("/postgres").id == "bbb222")
        #expect(try await resolver.resolve("aaa").id == "aaa111")
        #expect(try await resolver.resolve("redis").id == "aaa111")
    }

    // An unknown name lists the close names and what exists.
    @Test func suggestsNames() async throws {
        do {
            _ = try await TargetResolver(containers: fake(), ownContainerID: nil).resolve("postgress")
            Issue.record("resolved a missing name")
        } catch let error as TargetError {
            #expect(error.description.contains("no container named 'postgress'; did you mean 'postgres'?"))
            #expect(error.description.contains("containers: faultline-self, postgres, proj_redis_1, vault"))
            #expect(error.exitCode == .invalidInput)
        }
    }

    // Protected containers and faultline's own container are refused.
    @Test func refusesProtectedAndSelf() async throws {
        let resolver = TargetResolver(containers: fake(), ownContainerID: "ddd444")
        await #expect(throws: TargetError.self) { try await resolver.resolve("vault") }
        do {
            _ = try await resolver.resolve("faultline-self")
            Issue.record("own container resolved")
        } catch let error as TargetError {
            #expect(error.description.contains("faultline itself runs in it"))
        }
    }

    // A prefix matching several ids is ambiguous, not a guess.
    @Test func refusesAmbiguousPrefix() throws {
        let fake = FakeEngine()
        let summaries = [FakeEngine.details(id: "abc1", name: "one"), FakeEngine.details(id: "abc2", name: "two")].map(FakeEngine.summary)
        _ = fake
        #expect(throws: TargetError.self) { try TargetResolver.pick("abc", from: summaries) }
    }
}
