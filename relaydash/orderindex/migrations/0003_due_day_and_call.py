from django.db import migrations, models


def forget_hashes(apps, schema_editor):
    # `due` now holds when an order becomes overdue (a bare date at the end of its day)
    # and `due_day` and the contact to call are new: the next sync must rewrite every row,
    # not skip it as unchanged.
    apps.get_model("orderindex", "IndexedOrder").objects.update(content_hash="")


class Migration(migrations.Migration):

    dependencies = [
        ("orderindex", "0002_status_due_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="indexedorder",
            name="due_day",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="indexedorder",
            name="call_name",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="indexedorder",
            name="call_number",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(forget_hashes, migrations.RunPython.noop),
    ]
