from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "vigil.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation of risk judgements"
