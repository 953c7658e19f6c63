import factory
from django.utils import timezone
from django.contrib.auth.models import Group

from accounts.models import MODERATORS_GROUP, Company, CompanyKind, Membership, MembershipRole, User
from core.names import name_skeleton

PASSWORD = "Correct-Horse-Battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ModeratorFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def moderators_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    legal_name = factory.Sequence(lambda n: f"Company {n} Ltd")
    name_skeleton = factory.LazyAttribute(lambda o: name_skeleton(o.legal_name))
    country = "TR"
    registration_number = factory.Sequence(lambda n: f"REG-{n:06d}")
    address = "1 Market Street, Istanbul"
    website = "https://example.com"
    description = "We make things."
    default_currency = "TRY"
    kind = CompanyKind.SELLER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = MembershipRole.OWNER
