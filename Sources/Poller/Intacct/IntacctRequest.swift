import Foundation

/// One request document: control block, authentication and the functions to run, in order.
public struct IntacctRequest: Sendable {
    /// One `<function controlid=…>`.
    public struct Call: Sendable, Equatable {
        public var controlID: String
        public var function: IntacctFunction

        public init(controlID: String = UUID().uuidString.lowercased(), function: IntacctFunction) {
            self.controlID = controlID
            self.function = function
        }
    }

    public var senderID: String
    public var senderPassword: String
    /// Echoed in `response/control/controlid`; the server does not check it for uniqueness.
    public var controlID: String
    public var authentication: IntacctAuthentication
    public var calls: [Call]

    public init(
        senderID: String,
        senderPassword: String,
        controlID: String = UUID().uuidString.lowercased(),
        authentication: IntacctAuthentication,
        calls: [Call]
    ) {
        self.senderID = senderID
        self.senderPassword = senderPassword
        self.controlID = controlID
        self.authentication = authentication
        self.calls = calls
    }

    /// The request as compact UTF-8 XML.
    public func xml() throws -> Data {
        var writer = XMLWriter()
        try writer.element("request") { writer in
            writer.element("control") { writer in
                writer.element("senderid", senderID)
                writer.element("password", senderPassword)
                writer.element("controlid", controlID)
                // uniqueid=true makes the server refuse a repeated function controlid; every call here is
                // a read we may resend after a timeout, so duplicate protection would only get in the way.
                writer.element("uniqueid", "false")
                writer.element("dtdversion", "3.0")
                writer.element("includewhitespace", "false")
            }
            try writer.element("operation", attributes: [("transaction", "false")]) { writer in
                authentication.write(into: &writer)
                try writer.element("content") { writer in
                    for call in calls {
                        try writer.element("function", attributes: [("controlid", call.controlID)]) { try call.function.write(into: &$0) }
                    }
                }
            }
        }
        return writer.data
    }
}
