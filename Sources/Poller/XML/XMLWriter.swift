import Foundation

/// Builds a compact XML document as a string. Every text and attribute value goes through
/// `XMLText.escaped`, so callers cannot forget to strip or escape.
public struct XMLWriter: Sendable {
    private(set) var text: String

    /// Starts a document with the UTF-8 declaration Intacct expects.
    public init(declaration: Bool = true) {
        text = declaration ? #"<?xml version="1.0" encoding="UTF-8"?>"# : ""
        text.reserveCapacity(1024)
    }

    /// `<name attr="v">`.
    public mutating func open(_ name: String, attributes: [(String, String)] = []) {
        text += "<" + name
        for (key, value) in attributes { text += " " + key + "=\"" + XMLText.escaped(value) + "\"" }
        text += ">"
    }

    /// `</name>`.
    public mutating func close(_ name: String) {
        text += "</" + name + ">"
    }

    /// `<name/>`.
    public mutating func empty(_ name: String) {
        text += "<" + name + "/>"
    }

    /// `<name>value</name>`, the value stripped and escaped.
    public mutating func element(_ name: String, _ value: String) {
        text += "<" + name + ">" + XMLText.escaped(value) + "</" + name + ">"
    }

    /// `<name>` … `</name>` around whatever `body` writes.
    public mutating func element(_ name: String, attributes: [(String, String)] = [], _ body: (inout XMLWriter) throws -> Void) rethrows {
        open(name, attributes: attributes)
        try body(&self)
        close(name)
    }

    /// The document as UTF-8 bytes.
    public var data: Data { Data(text.utf8) }
}
