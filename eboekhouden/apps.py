from django.apps import AppConfig


class EboekhoudenConfig(AppConfig):
    name = "eboekhouden"
    verbose_name = "e-Boekhouden.nl"
