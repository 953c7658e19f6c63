"""Chinese in the search documents is written as two-character words (marketplace.search.index_text),
so that a title is found by its characters; the documents that hold CJK ideographs are rewritten."""
import re

from django.db import migrations

CJK = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
CJK_RUN = re.compile(f"{CJK}+")


def bigrams(match):
    """marketplace.search._cjk_bigrams as of this migration."""
    run, text = match.group(), match.string
    words = run if len(run) == 1 else " ".join(run[i:i + 2] for i in range(len(run) - 1))
    before = " " if match.start() > 0 and not text[match.start() - 1].isspace() else ""
    after = " " if match.end() < len(text) and not text[match.end()].isspace() else ""
    return f"{before}{words}{after}"


def rewrite_documents(apps, schema_editor):
    Listing = apps.get_model("marketplace", "Listing")
    changed = []
    for listing in Listing.objects.filter(search_document__regex=CJK).only("pk", "search_document").iterator(
            chunk_size=500):
        document = CJK_RUN.sub(bigrams, listing.search_document)
        if document != listing.search_document:
            listing.search_document = document
            changed.append(listing)
    Listing.objects.bulk_update(changed, ["search_document"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0006_listing_price_eur")]

    operations = [migrations.RunPython(rewrite_documents, migrations.RunPython.noop)]
