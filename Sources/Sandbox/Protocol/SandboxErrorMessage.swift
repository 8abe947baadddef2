/// One `<error>` of an `<errormessage>` block, at control, authentication or result level.
public struct SandboxErrorMessage: Sendable, Equatable, Codable {
    public var errorno: String
    public var description: String
    public var description2: String
    public var correction: String

    public init(errorno: String, description: String, description2: String = "", correction: String = "") {
        self.errorno = errorno
        self.description = description
        self.description2 = description2
        self.correction = correction
    }

    static let badSender = SandboxErrorMessage(errorno: "XL03000006", description: "",
                                        description2: "Incorrect Intacct XML Partner ID or password.", correction: "")
    static let badLogin = SandboxErrorMessage(errorno: "XL03000006", description: "",
                                       description2: "Sign-in information is incorrect", correction: "")
    static let invalidSession = SandboxErrorMessage(errorno: "XL03000006", description: "",
                                             description2: "Invalid session", correction: "Request a new session with getAPISession.")
    static let rolledBack = SandboxErrorMessage(errorno: "XL03000009", description: "",
                                         description2: "The entire transaction in this operation has been rolled back due to an error.")
    static let processingError = SandboxErrorMessage(errorno: "DL02000001", description: "",
                                              description2: "There was an error processing the request.")

    static func parse(_ message: String) -> SandboxErrorMessage {
        SandboxErrorMessage(errorno: "XL03000003", description: "XML Parse schema error", description2: message)
    }

    static func unknownObject(_ name: String) -> SandboxErrorMessage {
        SandboxErrorMessage(errorno: "BL01001973", description: "Could not read record",
                     description2: "Object definition \(name) not found.", correction: "Check the object name.")
    }

    init(_ error: QueryError) {
        self.init(errorno: error.errorno, description: error.description, description2: error.description2, correction: error.correction)
    }
}
