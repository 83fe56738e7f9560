import pytest


@pytest.mark.django_db
def test_health_answers_without_a_token_or_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
