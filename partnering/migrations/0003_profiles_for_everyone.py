"""Every registration and company has its partner profile: pages stop creating them on read."""

from django.db import migrations


def create_missing_profiles(apps, schema_editor):
    PartnerProfile = apps.get_model("partnering", "PartnerProfile")
    Registration = apps.get_model("events", "Registration")
    Company = apps.get_model("events", "Company")
    Profile = apps.get_model("events", "Profile")
    people = {p.user_id: p for p in Profile.objects.all()}
    fresh = []
    for registration in Registration.objects.select_related("summit"):
        if PartnerProfile.objects.filter(summit_id=registration.summit_id, user_id=registration.user_id).exists():
            continue
        person = people.get(registration.user_id)
        fresh.append(PartnerProfile(
            summit_id=registration.summit_id, user_id=registration.user_id,
            organisation=person.organisation if person else "", country=person.country if person else "",
            timezone=person.timezone if person else registration.summit.timezone,
        ))
    for company in Company.objects.select_related("summit"):
        if PartnerProfile.objects.filter(company_id=company.pk).exists():
            continue
        fresh.append(PartnerProfile(
            summit_id=company.summit_id, company_id=company.pk, organisation=company.name, country=company.country,
            timezone=company.summit.timezone, themes=[t for t in company.themes if t in company.summit.themes],
        ))
    PartnerProfile.objects.bulk_create(fresh, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("partnering", "0002_no_double_booking"), ("events", "0001_initial")]

    operations = [migrations.RunPython(create_missing_profiles, migrations.RunPython.noop)]
