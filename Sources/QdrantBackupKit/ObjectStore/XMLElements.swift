import Foundation

/// The text of named elements in a small XML document (S3's answers), in document order: each
/// element's text is what stands between its start (or the end of the element before it) and its
/// end, entities and character references decoded; only leaf elements are asked for.
///
/// A scanner of its own rather than Foundation's `XMLParser`, which links libxml2 into the binary:
/// the self-contained build (README, "Install on a server") needs no shared library but libcurl,
/// libzstd and the C library. S3's answers are plain XML 1.0: a declaration, elements with
/// attributes (`xmlns`), escaped text, no DTD; comments and CDATA sections are read too.
struct XMLElements {
    private var values: [(name: String, text: String)] = []

    init(_ data: Data) {
        // A malformed answer keeps what was read: callers look for the elements they need and
        // report their absence.
        values = Self.scan(Array(data))
    }

    func all(_ name: String) -> [String] { values.filter { $0.name == name }.map(\.text) }
    func first(_ name: String) -> String? { values.first { $0.name == name }?.text }

    private static func scan(_ bytes: [UInt8]) -> [(name: String, text: String)] {
        var values: [(name: String, text: String)] = []
        var text = ""
        var pending: [UInt8] = []
        var index = 0
        func starts(_ marker: String, at position: Int) -> Bool {
            bytes[position...].starts(with: marker.utf8)
        }
        func find(_ marker: String, from start: Int) -> Int? {
            var position = start
            while position < bytes.count {
                if starts(marker, at: position) { return position }
                position += 1
            }
            return nil
        }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                pending.append(bytes[index])
                index += 1
                continue
            }
            text += decode(pending)
            pending = []
            if starts("<![CDATA[", at: index) {
                // Literal text: no entity in it is decoded.
                guard let end = find("]]>", from: index + 9) else { break }
                text += String(decoding: bytes[(index + 9)..<end], as: UTF8.self)
                index = end + 3
                continue
            }
            let closing = starts("<!--", at: index) ? "-->" : starts("<?", at: index) ? "?>" : ">"
            guard let end = find(closing, from: index + 1) else { break }
            let tag = bytes[(index + 1)..<end]
            index = end + closing.utf8.count
            // A comment, a declaration or a DOCTYPE says nothing about elements.
            if closing != ">" || tag.first == UInt8(ascii: "!") { continue }
            if tag.first == UInt8(ascii: "/") {
                values.append((name(of: tag.dropFirst()), text))
            } else if tag.last == UInt8(ascii: "/") {
                values.append((name(of: tag.dropLast()), ""))
            }
            text = ""
        }
        return values
    }

    /// An element's name: the tag up to its first space (attributes follow).
    private static func name(of tag: ArraySlice<UInt8>) -> String {
        String(decoding: tag.prefix { ![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains($0) }, as: UTF8.self)
    }

    /// Text with XML's five entities and character references (`&#38;`, `&#x26;`) decoded.
    private static func decode(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("&") else { return text }
        var result = ""
        var rest = text[...]
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            guard let semicolon = rest[ampersand...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: ampersand)..<semicolon]
            switch entity {
            case "lt": result += "<"
            case "gt": result += ">"
            case "amp": result += "&"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let scalar: Unicode.Scalar? = if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init)
                } else {
                    nil
                }
                result += scalar.map { String(Character($0)) } ?? "&\(entity);"
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }
}
