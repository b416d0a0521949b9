internal import CLibXML2

/// Every call into libxml2 goes through here. The page is parsed with libxml2's HTML parser in recovery mode,
/// network access off and its messages silenced, then copied into a Swift `HTMLTree` and freed.
enum LibXML2 {
  /// Parses `bytes` decoded from `encoding` (an IANA name libxml2's iconv knows, e.g. "UTF-8", "windows-1252").
  static func parse(_ bytes: [UInt8], encoding: String) -> HTMLTree? {
    _ = initialized
    silenceErrors()
    let options =
      Int32(HTML_PARSE_RECOVER.rawValue) | Int32(HTML_PARSE_NOERROR.rawValue) | Int32(HTML_PARSE_NOWARNING.rawValue)
      | Int32(HTML_PARSE_NONET.rawValue) | Int32(HTML_PARSE_COMPACT.rawValue) | Int32(HTML_PARSE_IGNORE_ENC.rawValue)
      | Int32(XML_PARSE_HUGE.rawValue)  // no depth limit of 256: real pages nest deeper
    guard let ctxt = htmlNewParserCtxt() else { return nil }
    defer { htmlFreeParserCtxt(ctxt) }
    // ASCII-compatible encodings only: UTF-16 and UTF-32 pages reach here decoded to UTF-8.
    let upper = encoding.uppercased()
    let bytes = upper.hasPrefix("UTF-16") || upper.hasPrefix("UTF-32") ? bytes : AttributeCap.capped(bytes) ?? bytes
    let doc: htmlDocPtr? = bytes.withUnsafeBufferPointer { buf in
      buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { p in
        htmlCtxtReadMemory(ctxt, p, Int32(clamping: buf.count), nil, encoding, options)
      }
    }
    guard let doc else { return nil }
    defer { xmlFreeDoc(doc) }
    guard let root = xmlDocGetRootElement(doc) else { return HTMLTree() }
    return copy(root)
  }

  /// libxml2 must be initialised once before threads parse at the same time (each parse has its own context and
  /// the error handler below is per thread).
  private static let initialized: Void = { xmlInitParser() }()

  /// libxml2 would print parse and encoding errors on stderr: a structured handler that ignores them takes
  /// precedence over its printing default.
  private static func silenceErrors() {
    xmlSetStructuredErrorFunc(nil, { _, _ in })
  }

  private static func string(_ p: UnsafePointer<xmlChar>?) -> String {
    guard let p else { return "" }
    return String(cString: p)
  }

  /// Copies the element tree without recursion (a page may nest 10,000 levels deep).
  private static func copy(_ root: xmlNodePtr) -> HTMLTree {
    var tree = HTMLTree()
    var stack: [(xmlNodePtr, Int32)] = [(root, -1)]
    while let (node, parent) = stack.popLast() {
      let type = node.pointee.type
      var index: Int32 = -1
      if type == XML_ELEMENT_NODE {
        var attributes: [(String, String)] = []
        var a = node.pointee.properties
        while let attr = a {
          let value = attr.pointee.children.map { string($0.pointee.content) } ?? ""
          attributes.append((string(attr.pointee.name).lowercased(), value))
          a = attr.pointee.next
        }
        index = tree.append(tag: string(node.pointee.name).lowercased(), attributes: attributes, parent: parent)
      } else if type == XML_TEXT_NODE || type == XML_CDATA_SECTION_NODE {
        tree.appendText(string(node.pointee.content), parent: parent)
        continue
      } else {
        continue
      }
      // Children pushed in reverse so that they come off the stack in document order.
      var children: [xmlNodePtr] = []
      var c = node.pointee.children
      while let child = c {
        children.append(child)
        c = child.pointee.next
      }
      for child in children.reversed() { stack.append((child, index)) }
    }
    return tree
  }
}
