/// How long a process a fault starts in the container lives (a resource hog, the dns fault's
/// resolver): it ends itself half a grace after the window, and is killed a whole grace after it
/// whatever else happens, so it never outlives its fault by much even when no faultline process
/// is left to revert it.
struct HelperLifetime {
    static let grace = Duration.seconds(10)
    /// Without a window (not taken by these kinds' definitions) it still ends by itself.
    static let withoutWindow = Duration.seconds(3600)

    let held: Duration

    init(window: Duration?) { held = window ?? Self.withoutWindow }

    /// Whole seconds after which it ends itself (its own time-out).
    var ownSeconds: Int { Int((held + Self.grace / 2).seconds.rounded(.up)) }
    /// After this it is killed (`timeout --signal=KILL`).
    var killedAfter: Duration { held + Self.grace }
}
