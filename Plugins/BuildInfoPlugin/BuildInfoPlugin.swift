import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` (the commit the binary was built from, `-dirty` when the work tree had
/// changes) before every build of the target that uses it, for `faultline --version`. The file is
/// only replaced when its content changes, so an unchanged tree rebuilds nothing.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.pluginWorkDirectoryURL
        let output = directory.appendingPathComponent("BuildInfo.swift").path
        let package = context.package.directoryURL.path
        let script = """
            commit=$(git -C '\(package)' rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
            if [ "$commit" != unknown ] && [ -n "$(git -C '\(package)' status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-dirty"; fi
            printf '/// Generated at build time by BuildInfoPlugin.\\nenum BuildInfo {\\n    static let commit = "%s"\\n}\\n' "$commit" > '\(output).new'
            if cmp -s '\(output).new' '\(output)'; then rm -f '\(output).new'; else mv '\(output).new' '\(output)'; fi
            """
        return [.prebuildCommand(displayName: "Recording the commit for --version", executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script], outputFilesDirectory: directory)]
    }
}
