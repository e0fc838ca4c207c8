"""Judging in the demo summit: the roadshow's rubric and a jury of the organiser and two Qingdao partners.

Idempotent: the rubric is set only while the summit has none, and jurors are added, never removed.
"""

from django.contrib.auth import get_user_model

from judging.models import Criterion, Juror

User = get_user_model()

RUBRIC = [
    ("innovation", {"en": "Innovation", "fr": "Innovation", "zh-hans": "创新"}, 30),
    ("team", {"en": "Team", "fr": "Équipe", "zh-hans": "团队"}, 20),
    ("market", {"en": "Market", "fr": "Marché", "zh-hans": "市场"}, 30),
    ("fit", {"en": "Fit with Qingdao", "fr": "Adéquation avec Qingdao", "zh-hans": "与青岛的契合度"}, 20),
]
JURY = ["organiser@example.org", "li.na@example.cn", "zhao.yang@example.cn"]


def seed_judging(summit):
    if not Criterion.objects.filter(summit=summit).exists():
        Criterion.objects.bulk_create(
            [
                Criterion(
                    summit=summit, key=key, label=label, weight=weight, min_score=1, max_score=10, position=position
                )
                for position, (key, label, weight) in enumerate(RUBRIC)
            ]
        )
    for person in User.objects.filter(email__in=JURY):
        Juror.objects.get_or_create(summit=summit, user=person)
