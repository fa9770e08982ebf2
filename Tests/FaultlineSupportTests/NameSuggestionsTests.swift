import FaultlineSupport
import Testing

@Suite struct NameSuggestionsTests {
    // A one-letter typo finds the intended name first.
    @Test func findsTypos() {
        let names = ["redis", "postgres", "backend", "auth"]
        #expect(NameSuggestions.closest(to: "rediss", among: names) == ["redis"])
        #expect(NameSuggestions.closest(to: "postgre", among: names).first == "postgres")
    }

    // A substring counts as close (compose names like proj_redis_1).
    @Test func findsContainingNames() {
        #expect(NameSuggestions.closest(to: "redis", among: ["proj_redis_1", "proj_db_1"]) == ["proj_redis_1"])
    }

    // Unrelated names are not suggested.
    @Test func ignoresFarNames() {
        #expect(NameSuggestions.closest(to: "zzzzzz", among: ["redis", "postgres"]).isEmpty)
    }

    // The classic examples of edit distance.
    @Test func editDistance() {
        #expect(NameSuggestions.editDistance("kitten", "sitting") == 3)
        #expect(NameSuggestions.editDistance("", "abc") == 3)
        #expect(NameSuggestions.editDistance("same", "same") == 0)
    }
}
