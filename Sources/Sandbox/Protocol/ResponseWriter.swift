/// The outcome of one function, in the order the functions were sent.
struct FunctionResult {
    var function: String
    var controlID: String
    var status = "success"
    /// A rendered `<data …>…</data>` element, for successful reads.
    var data: [UInt8]?
    var errors: [SandboxErrorMessage] = []

    static func failure(_ function: GatewayFunction, _ errors: SandboxErrorMessage...) -> FunctionResult {
        FunctionResult(function: function.name, controlID: function.controlID, status: "failure", errors: errors)
    }
}

/// What the authentication block reports.
struct AuthenticationEcho {
    var userID: String
    var companyID: String
    var locationID: String
    var timestamp: Int64
    var timeout: Int64
    /// The API user's UTC offset (seconds): both times are written in local time with it.
    var utcOffset: Int64 = 0
}

/// Writes whole gateway responses in the shape of reference §3: control, then either an errormessage or
/// the operation with its authentication block and one result per function.
enum ResponseWriter {
    static let declaration = #"<?xml version="1.0" encoding="UTF-8"?>"#

    static func controlFailure(_ control: GatewayRequest.Control, _ errors: [SandboxErrorMessage]) -> [UInt8] {
        var out = XMLBuffer()
        out.raw(declaration)
        out.open("response")
        writeControl(&out, control, status: "failure")
        writeErrors(&out, errors)
        out.close("response")
        return out.bytes
    }

    /// The minimal gateway body of a 429 (reference §7): no echo, only the GW-0010 error.
    static func rateLimited(requestID: String) -> [UInt8] {
        var out = XMLBuffer()
        out.raw(declaration)
        out.raw("<response><control><status>failure</status></control>")
        writeErrors(&out, [SandboxErrorMessage(errorno: "GW-0010", description: "Too many requests [Request ID: \(requestID)]")])
        out.raw("</response>")
        return out.bytes
    }

    static func authenticationFailure(_ control: GatewayRequest.Control, userID: String, companyID: String, _ error: SandboxErrorMessage) -> [UInt8] {
        var out = XMLBuffer()
        out.raw(declaration)
        out.open("response")
        writeControl(&out, control, status: "success")
        out.open("operation")
        out.open("authentication")
        out.element("status", "failure")
        out.element("userid", userID)
        out.element("companyid", companyID)
        out.element("locationid", "")
        out.close("authentication")
        writeErrors(&out, [error])
        out.close("operation")
        out.close("response")
        return out.bytes
    }

    static func success(_ control: GatewayRequest.Control, _ auth: AuthenticationEcho, _ results: [FunctionResult]) -> [UInt8] {
        var out = XMLBuffer(capacity: results.reduce(1024) { $0 + ($1.data?.count ?? 256) })
        out.raw(declaration)
        out.open("response")
        writeControl(&out, control, status: "success")
        out.open("operation")
        out.open("authentication")
        out.element("status", "success")
        out.element("userid", auth.userID)
        out.element("companyid", auth.companyID)
        out.element("locationid", auth.locationID)
        out.element("sessiontimestamp", IntacctTime.iso8601(auth.timestamp, utcOffset: auth.utcOffset))
        out.element("sessiontimeout", IntacctTime.iso8601(auth.timeout, utcOffset: auth.utcOffset))
        out.close("authentication")
        for result in results {
            out.open("result")
            out.element("status", result.status)
            out.element("function", result.function)
            out.element("controlid", result.controlID)
            if let data = result.data { out.bytes.append(contentsOf: data) }
            if !result.errors.isEmpty { writeErrors(&out, result.errors) }
            out.close("result")
        }
        out.close("operation")
        out.close("response")
        return out.bytes
    }

    private static func writeControl(_ out: inout XMLBuffer, _ control: GatewayRequest.Control, status: String) {
        out.open("control")
        out.element("status", status)
        out.element("senderid", control.senderID)
        out.element("controlid", control.controlID)
        out.element("uniqueid", control.uniqueID)
        out.element("dtdversion", control.dtdVersion.isEmpty ? "3.0" : control.dtdVersion)
        out.close("control")
    }

    static func writeErrors(_ out: inout XMLBuffer, _ errors: [SandboxErrorMessage]) {
        out.open("errormessage")
        for error in errors {
            out.open("error")
            out.element("errorno", error.errorno)
            out.element("description", error.description)
            out.element("description2", error.description2)
            out.element("correction", error.correction)
            out.close("error")
        }
        out.close("errormessage")
    }
}
