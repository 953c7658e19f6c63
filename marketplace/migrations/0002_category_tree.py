from django.db import migrations


def load_tree(apps, schema_editor):
    from marketplace.categories import TREE

    Category = apps.get_model("marketplace", "Category")
    for position, (slug, name, children) in enumerate(TREE):
        parent, _ = Category.objects.get_or_create(
            path=slug, defaults={"name": name, "slug": slug, "depth": 0, "position": position})
        for child_position, (child_slug, child_name) in enumerate(children):
            Category.objects.get_or_create(
                path=f"{slug}/{child_slug}",
                defaults={"name": child_name, "slug": child_slug, "parent": parent, "depth": 1,
                          "position": child_position})


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]
    operations = [migrations.RunPython(load_tree, migrations.RunPython.noop)]
