"""The prediction methods the package's classifiers share.

Each is one call into `sklogreg._predictions`, which reads only ``classes_``,
``coef_`` and ``intercept_``: whatever fitted them (one ``C``, or a cross-validated
path) predicts the same way.
"""

from __future__ import annotations

from . import _predictions

__all__ = ["LinearClassifierPredictions"]


class LinearClassifierPredictions:
    """``decision_function``, ``predict``, ``predict_proba``, ``predict_log_proba``.

    For a fitted linear classifier with ``classes_``, ``coef_`` (dense or, after
    ``sparsify()``, sparse) and ``intercept_``.
    """

    def decision_function(self, X):
        """Return the linear predictor ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the log-odds of the second class; otherwise one score per
            class (the softmax's logits). For a Dask array ``X``, a lazy Dask array
            with ``X``'s row chunks.
        """
        return _predictions.decision_function(self, X)

    def predict(self, X):
        """Predict the most probable class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_`` (lazy, chunk by chunk, for a Dask array ``X``).
            For Array API input in its namespace and on its device, unless the
            labels are strings (a NumPy array then).
        """
        return _predictions.predict(self, X)

    def predict_proba(self, X):
        """Predict class probabilities: sigmoid for two classes, softmax otherwise.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one; columns follow ``classes_``. Lazy for a Dask array
            ``X``.
        """
        return _predictions.predict_proba(self, X)

    def predict_log_proba(self, X):
        """Predict log-probabilities, finite even where a probability underflows.

        Computed as ``log_expit`` of the log-odds (two classes) or ``log_softmax`` of
        the logits, never as ``log(predict_proba(X))``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return _predictions.predict_log_proba(self, X)
