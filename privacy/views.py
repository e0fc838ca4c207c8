"""The privacy page: contact-sharing choices, the data download and account deletion."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.models import Registration
from events.services import check_signed_in
from partnering.services import companies_interested_in, contact_sharing
from privacy import services
from summit.errors import Forbidden


def my_data(request):
    check_signed_in(request.user)
    summits = []
    for registration in Registration.objects.filter(user=request.user).select_related("summit"):
        summit = registration.summit
        choices = contact_sharing(request.user, summit)
        interested = companies_interested_in(request.user, summit)
        companies = [
            {
                "company": company,
                "shared": choices["companies"].get(company.slug),
                "interested": company.slug in interested,
            }
            for company in summit.companies.all()
        ]
        summits.append({"summit": summit, "everyone": bool(choices["summit"]), "companies": companies})
    return render(request, "privacy/my_data.html", {"summits": summits})


def export(request):
    check_signed_in(request.user)
    body = json.dumps(services.export(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-summit-data.json"'
    return response


@require_POST
def delete_account(request):
    check_signed_in(request.user)
    try:
        services.do_delete_account(request.user, request.POST.get("confirm", ""))
    except Forbidden as error:
        messages.error(request, error.detail)
        return redirect("privacy-my-data")
    logout(request)
    messages.success(request, _("Your account is deleted."))
    return redirect("summit-list")
