import Foundation

/// Where the CLI writes: results on stdout, diagnostics and progress on stderr.
enum Terminal {
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    static func printNote(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// True when stderr is a terminal, so live progress can redraw a line.
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Pretty, key-sorted snake_case JSON on stdout.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
    }
}
