from django.db import migrations


def seed(apps, schema_editor):
    from saferschools.casework.risk import catalogue_seed

    catalogue_seed(apps.get_model("casework", "RiskFactor"))


class Migration(migrations.Migration):
    dependencies = [("casework", "0003_referral_sharing_decision_referralupdate_by_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
