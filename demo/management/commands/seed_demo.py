"""Loads demo companies, people, a moderator, an admin, the demo catalogue of listings and the
ordering side (shipping zones, orders in each state, a request for quotation: demo/orders.py).
Safe to run again: it updates people and companies in place and adds only what is missing."""
from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import (
    MODERATORS_GROUP,
    Company,
    DocumentKind,
    Membership,
    MembershipRole,
    User,
    VerificationStatus,
)
from demo import marketplace as demo
from demo import orders as orders_demo
from marketplace.models import Listing, ListingStatus
from trust.services import seller_performance_recompute_all

DEMO_PASSWORD = "sme-demo-Market-2026"

COMPANIES = [
    # email, name, legal name, country, registration number, currency, language, kind, city
    ("ayse@anatolia-textiles.example", "Ayşe Yılmaz", "Anatolia Textiles A.Ş.", "TR", "TR-3481920", "TRY", "tr",
     "seller", "Organize Sanayi Bölgesi, Bursa"),
    ("mehmet@izmir-foods.example", "Mehmet Kaya", "İzmir Dried Fruits Ltd. Şti.", "TR", "TR-5520114", "TRY", "tr",
     "both", "Kemalpaşa, İzmir"),
    ("li.wei@shenzhen-circuits.example", "Li Wei", "Shenzhen Bright Circuits Co., Ltd.", "CN", "91440300MA5F00001A",
     "CNY", "zh-hans", "seller", "Bao'an District, Shenzhen"),
    ("zhang.min@ningbo-home.example", "Zhang Min", "Ningbo Homeware Trading Co., Ltd.", "CN", "91330201MA2H00002E",
     "CNY", "zh-hans", "both", "Beilun District, Ningbo"),
    ("jonas@rhein-maschinen.example", "Jonas Becker", "Rhein Maschinenbau GmbH", "DE", "HRB 104233", "EUR", "en",
     "seller", "Industriestraße 12, Duisburg"),
    ("wanjiru@nairobi-coffee.example", "Wanjiru Kamau", "Nairobi Highland Coffee Ltd", "KE", "PVT-2019-88341",
     "KES", "en", "seller", "Ruiru, Kiambu County"),
    ("otieno@mombasa-buyers.example", "Otieno Odhiambo", "Mombasa Import House Ltd", "KE", "PVT-2021-10292",
     "KES", "en", "buyer", "Moi Avenue, Mombasa"),
    ("lucas@sao-paulo-couro.example", "Lucas Almeida", "São Paulo Couro Ltda.", "BR", "12345678000195",
     "BRL", "en", "seller", "Franca, São Paulo"),
    ("katrin@bavaria-packaging.example", "Katrin Huber", "Bavaria Packaging Systems GmbH", "DE", "HRB 221907",
     "EUR", "en", "seller", "Gewerbepark 4, Augsburg"),
    ("njeri@naivasha-blooms.example", "Njeri Mwangi", "Naivasha Bloom Exporters Ltd", "KE", "PVT-2016-44120",
     "KES", "en", "seller", "Moi South Lake Road, Naivasha"),
    ("rafael@cerrado-cafe.example", "Rafael Oliveira", "Cerrado Café Exportadora Ltda.", "BR", "23456789000195",
     "BRL", "en", "seller", "Patrocínio, Minas Gerais"),
    ("camila@es-granitos.example", "Camila Ferreira", "Espírito Santo Granitos Ltda.", "BR", "34567890000130",
     "BRL", "en", "seller", "Cachoeiro de Itapemirim, Espírito Santo"),
    ("ana@recife-compras.example", "Ana Souza", "Recife Compras S.A.", "BR", "98765432000198", "BRL", "en",
     "buyer", "Boa Viagem, Recife"),
]
PENDING = {"TR-5520114", "PVT-2021-10292"}  # left in the moderators' queue
# Tax numbers by registration number, valid for their country's format (accounts/registry_numbers.py):
# a VKN in Türkiye, the USCC in China and the CNPJ in Brazil (the registration number too), the
# USt-IdNr in Germany, the KRA PIN in Kenya. All made up.
TAX_NUMBERS = {
    "TR-3481920": "3481920011", "TR-5520114": "5520114020",
    "91440300MA5F00001A": "91440300MA5F00001A", "91330201MA2H00002E": "91330201MA2H00002E",
    "HRB 104233": "DE104233001", "HRB 221907": "DE221907002",
    "PVT-2019-88341": "P052019883X", "PVT-2021-10292": "P052021102Y", "PVT-2016-44120": "P051644120Z",
    "12345678000195": "12345678000195", "23456789000195": "23456789000195", "34567890000130": "34567890000130",
    "98765432000198": "98765432000198",
}
# The registration certificate every demo company has on file (a one-page PDF).
DEMO_CERTIFICATE = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
                    b"trailer << /Root 1 0 R >>\n%%EOF\n")


class Command(BaseCommand):
    help = "Loads demo data (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            admin, moderator = self._seed()
            catalogue = demo.seed_listings(moderator=moderator)
        ordering = orders_demo.seed_orders()
        # The sellers' figures measured from the demo orders now, rather than at the first nightly run.
        measured = seller_performance_recompute_all()
        published = Listing.objects.filter(status=ListingStatus.PUBLISHED).count()
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {Company.objects.count()} companies, {published} published listings "
            f"({catalogue.created} listings added now). Password for every demo login: {DEMO_PASSWORD}"))
        for user in [admin, moderator, *User.objects.filter(email__endswith=".example").exclude(
                pk__in=[admin.pk, moderator.pk]).order_by("email")[:3]]:
            self.stdout.write(f"  {user.email}")
        states = ", ".join(f"{count} {status}" for status, count in sorted(ordering.by_status.items()))
        self.stdout.write(
            f"Also added now: {ordering.zones} shipping zones, {ordering.orders} orders ({states or 'none'}), "
            f"{ordering.rfqs} requests for quotation, {ordering.quotes} quotes, {ordering.messages} messages, "
            f"{ordering.reviews} reviews; performance measured for {measured['sellers']} sellers.")
        for reason in ordering.skipped:
            self.stdout.write(self.style.WARNING(f"  not added: {reason}"))

    def _seed(self) -> tuple[User, User]:
        admin = self._user("admin@sme-market.example", "Site Administrator", superuser=True)
        moderator = self._user("moderator@sme-market.example", "Maria Moderator", staff=True)
        moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])

        for email, person, legal, country, regno, currency, lang, kind, address in COMPANIES:
            user = self._user(email, person, language=lang)
            company, _ = Company.objects.update_or_create(
                country=country, registration_number=regno,
                defaults={"legal_name": legal, "address": address, "default_currency": currency,
                          "preferred_language": lang, "kind": kind, "tax_number": TAX_NUMBERS[regno],
                          "website": f"https://{email.split('@')[1]}",
                          "description": f"{legal} is a demo company on SME Market."})
            Membership.objects.get_or_create(user=user, company=company, defaults={"role": MembershipRole.OWNER})
            if not company.verification_documents.filter(kind=DocumentKind.REGISTRATION_CERTIFICATE).exists():
                services.verification_document_upload(
                    company=company, actor=user, kind=DocumentKind.REGISTRATION_CERTIFICATE,
                    file=ContentFile(DEMO_CERTIFICATE, name="registration-certificate.pdf"))
            if company.verification_status == VerificationStatus.UNVERIFIED:
                company = services.company_verification_submit(company=company, actor=user)
            if regno not in PENDING and company.verification_status == VerificationStatus.PENDING:
                services.company_verify(company=company, actor=moderator, reason="Documents checked (demo).")
        return admin, moderator

    def _user(self, email: str, name: str, *, language: str = "en", staff: bool = False,
              superuser: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
            user.set_password(DEMO_PASSWORD)
        user.full_name = name
        user.preferred_language = language
        user.is_staff = staff or superuser
        user.is_superuser = superuser
        user.email_verified_at = user.email_verified_at or timezone.now()  # demo addresses count as confirmed
        user.save()
        return user
