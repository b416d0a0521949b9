"""tantivy's index built exactly as shared/bench/perf.py builds it (same schema, en_stem tokenizer, 256 MB writer
heap, commit and merges waited for), for the scripts that measure tsearch against it in alternation."""
import tantivy


def build(docs, path):
    """Indexes `docs` (dicts with id, title, text) in the folder `path`; returns the index, reloaded."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
    ix = tantivy.Index(sb.build(), path=path)
    w = ix.writer(heap_size=256_000_000)
    for x in docs:
        w.add_document(tantivy.Document(id=x["id"], title=x.get("title", ""), text=x.get("text", "")))
    w.commit()
    w.wait_merging_threads()
    del w
    ix.reload()
    return ix
