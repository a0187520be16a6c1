import Foundation

/// A command line the tool prints for the user to paste (a resume, a next step): every word
/// quoted for a POSIX shell where it needs it, so the line works as printed whatever the paths hold.
struct ShellCommand {
    var words: [String]

    init(_ words: [String]) { self.words = words }

    /// Appends `flag value` when there is a value.
    mutating func append(_ flag: String, _ value: String?) {
        if let value { words += [flag, value] }
    }

    /// Appends `flag` when `on`.
    mutating func append(_ flag: String, if on: Bool) {
        if on { words.append(flag) }
    }

    var line: String { words.map(Self.quoted).joined(separator: " ") }

    static func quoted(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=:@%+,".unicodeScalars.contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
