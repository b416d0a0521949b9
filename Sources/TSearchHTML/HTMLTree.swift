/// A parsed page as flat arrays: elements and text nodes, with parent and child links by index.
struct HTMLTree {
  struct Node {
    /// Lower-case tag name; "#text" for text nodes.
    var tag: String
    var attributes: [(String, String)]
    var text: String
    var parent: Int32
    var children: [Int32] = []

    var isText: Bool { tag == "#text" }

    func attribute(_ name: String) -> String? { attributes.first { $0.0 == name }?.1 }
  }

  var nodes: [Node] = []

  var root: Int32? { nodes.isEmpty ? nil : 0 }

  mutating func append(tag: String, attributes: [(String, String)], parent: Int32) -> Int32 {
    let i = Int32(nodes.count)
    nodes.append(Node(tag: tag, attributes: attributes, text: "", parent: parent))
    if parent >= 0 { nodes[Int(parent)].children.append(i) }
    return i
  }

  mutating func appendText(_ text: String, parent: Int32) {
    guard parent >= 0 else { return }
    let i = Int32(nodes.count)
    nodes.append(Node(tag: "#text", attributes: [], text: text, parent: parent))
    nodes[Int(parent)].children.append(i)
  }

  subscript(_ i: Int32) -> Node { nodes[Int(i)] }

  /// Every element with this tag, in document order.
  func elements(_ tag: String) -> [Int32] {
    nodes.indices.filter { nodes[$0].tag == tag }.map(Int32.init)
  }

  /// All text below `i`, in document order (iterative).
  func text(_ i: Int32) -> String {
    var out = ""
    var stack = [i]
    while let n = stack.popLast() {
      let node = nodes[Int(n)]
      if node.isText {
        out += node.text
      } else {
        stack.append(contentsOf: node.children.reversed())
      }
    }
    return out
  }

  /// Whether `i` lies below `ancestor`.
  func isDescendant(_ i: Int32, of ancestor: Int32) -> Bool {
    var p = nodes[Int(i)].parent
    while p >= 0 {
      if p == ancestor { return true }
      p = nodes[Int(p)].parent
    }
    return false
  }
}
