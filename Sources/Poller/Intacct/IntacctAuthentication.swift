/// The `<authentication>` block: user credentials (only for getAPISession here) or a session id.
public enum IntacctAuthentication: Sendable, Equatable {
    case login(userID: String, companyID: String, password: String, locationID: String?)
    case session(id: String)

    func write(into writer: inout XMLWriter) {
        writer.element("authentication") { writer in
            switch self {
            case let .login(userID, companyID, password, locationID):
                writer.element("login") { writer in
                    writer.element("userid", userID)
                    writer.element("companyid", companyID)
                    writer.element("password", password)
                    if let locationID { writer.element("locationid", locationID) }
                }
            case let .session(id):
                writer.element("sessionid", id)
            }
        }
    }
}
