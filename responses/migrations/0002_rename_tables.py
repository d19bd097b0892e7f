"""Give the moved tables this app's name, and carry their content types along.

The tables are renamed in place (``ALTER TABLE ... RENAME``): rows, keys,
indexes and the foreign keys pointing at them stay as they are. Renaming
rather than pinning ``db_table`` to the old names keeps the schema readable
(``responses_*`` tables belong to the ``responses`` app) at the cost of one
quick statement per table.

The content types are relabelled rather than left behind, so that the
permissions granted on these models (and the admin's history) follow them.
"""

from django.db import migrations


MODELS = ['invitation', 'response', 'answer']


def relabel(apps, schema_editor, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    # On a new database the content types do not exist yet: post_migrate makes them under the new label.
    content_type.objects.using(db).filter(app_label=old, model__in=MODELS).update(app_label=new)


def forwards(apps, schema_editor) -> None:
    relabel(apps, schema_editor, "assessments", "responses")


def backwards(apps, schema_editor) -> None:
    relabel(apps, schema_editor, "responses", "assessments")


class Migration(migrations.Migration):

    dependencies = [
        ('responses', '0001_initial'),
        ('assessments', '0004_move_models_out'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='answer',
            table=None,
        ),
        migrations.AlterModelTable(
            name='invitation',
            table=None,
        ),
        migrations.AlterModelTable(
            name='response',
            table=None,
        ),
        migrations.RunPython(forwards, backwards),
    ]
