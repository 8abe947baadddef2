import Loader
import SwiftProtobuf

extension ProtoRowEncoder {
    /// The writer schema for `ProtoSchema.proto_descriptor`: the rows this encoder writes.
    public var descriptor: Google_Protobuf_DescriptorProto { Self.descriptor(for: schema) }

    /// A `DescriptorProto` for rows of `schema`: one proto2 optional field per column, numbered from 1 in
    /// column order, named as the column (the Write API matches fields to columns by name).
    public static func descriptor(for schema: TableSchema, messageName: String = "Row") -> Google_Protobuf_DescriptorProto {
        var message = Google_Protobuf_DescriptorProto()
        message.name = messageName
        var seen: Set<String> = []
        for (index, column) in schema.columns.enumerated() where seen.insert(column.name.lowercased()).inserted {
            var field = Google_Protobuf_FieldDescriptorProto()
            field.name = column.name
            field.number = Int32(index + 1)
            field.label = .optional
            field.type = switch fieldType(of: column.type) {
            case .int64: .int64
            case .int32: .int32
            case .bool: .bool
            case .double: .double
            case .string: .string
            }
            message.field.append(field)
        }
        return message
    }
}
